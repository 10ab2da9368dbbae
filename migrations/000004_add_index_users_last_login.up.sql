-- migrate:no-transaction
-- Migration: add_index_users_last_login
-- users is large in production: build the index without blocking writes. CONCURRENTLY cannot run
-- inside a transaction, hence no BEGIN/COMMIT and the directive above.

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_last_login_at
    ON users (last_login_at);

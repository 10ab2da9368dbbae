-- migrate:no-transaction
-- Rollback: add_index_users_last_login

DROP INDEX CONCURRENTLY IF EXISTS idx_users_last_login_at;

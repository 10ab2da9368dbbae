-- Rollback: add_last_login_to_users

BEGIN;

ALTER TABLE users
    DROP COLUMN IF EXISTS last_login_at;

COMMIT;

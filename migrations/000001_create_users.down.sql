-- Rollback: create_users

BEGIN;

DROP TABLE IF EXISTS users;

COMMIT;

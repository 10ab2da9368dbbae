-- Migration: add_last_login_to_users
-- Nullable, so the change is instant on a filled table.

BEGIN;

ALTER TABLE users
    ADD COLUMN last_login_at TIMESTAMPTZ;

COMMIT;

-- Migration: create_projects
-- Projects belong to a user; a status enum tracks their life cycle.

BEGIN;

CREATE TYPE project_status AS ENUM ('active', 'archived');

CREATE TABLE projects (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    status project_status NOT NULL DEFAULT 'active',
    settings JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The table is new and empty: a plain CREATE INDEX is right here.
CREATE INDEX idx_projects_owner_id ON projects (owner_id);

COMMIT;

-- Rollback: create_projects

BEGIN;

DROP TABLE IF EXISTS projects;
DROP TYPE IF EXISTS project_status;

COMMIT;

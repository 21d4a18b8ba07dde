-- A failed rehearsal's whole text (Flyway's and PostgreSQL's, which may hold row data a migration raised): kept for
-- the dashboard, never published in a status, a PR comment or the audit trail.
alter table rehearsals add column detail text;

-- A tier whose privileges drifted from the policy's database_access (a hand-run GRANT, a revoked group privilege) where
-- the policy says drift: hold: PRs into it are refused (permissions.drifted) until tiergate grants apply repairs it.
-- (V7 is the API tokens' table.)
create table permission_drift (
    forge       text        not null,
    repo        text        not null,
    tier        text        not null,
    detail      text        not null,
    found_at    timestamptz not null default now(),
    primary key (forge, repo, tier)
);

-- The last rehearsal of each open PR's migrations: which head and base it ran on, its verdict and the
-- migration versions the PR adds (to tell two PRs that take the same version).
create table rehearsals (
    forge       text        not null,
    repo        text        not null,
    pr_number   bigint      not null,
    head_sha    text        not null,
    base_sha    text        not null,
    base_tier   text,
    ok          boolean     not null,
    rule        text,
    versions    text        not null default '',
    updated_at  timestamptz not null default now(),
    primary key (forge, repo, pr_number)
);

-- A tier whose migration failed on merge: restored from its snapshot and held until someone acts.
create table held_tiers (
    forge       text        not null,
    repo        text        not null,
    tier        text        not null,
    pr_number   bigint,
    reason      text        not null,
    snapshot    text,
    held_at     timestamptz not null default now(),
    primary key (forge, repo, tier)
);

-- Snapshots taken before a tier migrated, for rollback: <tier>-backup-<release>.
create table tier_snapshots (
    forge       text        not null,
    repo        text        not null,
    tier        text        not null,
    release     text        not null,
    db_branch   text        not null,
    taken_at    timestamptz not null default now(),
    primary key (forge, repo, tier, release)
);

-- What became of a merged PR's migrations on its tier, for `tiergate wait --until migrated` and `tiergate merge
-- --wait-migrate`: written when the merge is seen (pending) and again when the tier's run ends. The audit trail keeps
-- the history; this row is the one answer an agent polls.
create table merge_outcomes (
    forge       text        not null,
    repo        text        not null,
    pr_number   bigint      not null,
    head_branch text        not null,
    head_sha    text        not null,
    base_tier   text,
    migration   text        not null check (migration in ('pending', 'applied', 'nothing', 'failed', 'held')),
    detail      text,
    updated_at  timestamptz not null default now(),
    primary key (forge, repo, pr_number)
);
create index merge_outcomes_by_branch on merge_outcomes (forge, repo, head_branch);

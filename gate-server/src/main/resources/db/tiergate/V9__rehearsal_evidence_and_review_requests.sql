-- What a PR's last rehearsal measured (JSON: per migration and statement its locks, rewrites, table sizes and
-- durations; the lint findings), which the policy's approval_rules route review by. Written with the rehearsal's row.
alter table rehearsals add column evidence text;

-- The reviews tiergate asked the forge for, once per PR head and set of reviewers.
create table review_requests (
    forge        text        not null,
    repo         text        not null,
    pr_number    bigint      not null,
    head_sha     text        not null,
    reviewers    text        not null,
    requested_at timestamptz not null default now(),
    primary key (forge, repo, pr_number, head_sha, reviewers)
);

-- Runs of repository SQL (a tier's set-up, a working branch following a push, a PR's rehearsal, a merge group's, a
-- merge applied to its tier), queued by the delivery that decided them and carried out by the run workers, off the
-- delivery workers: one repository's slow run delays only that repository's other runs. A run asked for twice while
-- the first still waits or runs is one run (the partial unique index).
create table runs (
    id              bigserial   primary key,
    forge           text        not null,
    instance        text        not null default '',
    repo            text        not null,
    kind            text        not null,   -- tier_setup | follow | rehearsal | merge_group | merge
    subject         text        not null,   -- the tier, git branch or pull/<N> it is about
    dedup           text        not null,   -- what makes two asks the same run (a head SHA, a pair of SHAs)
    payload         jsonb       not null,
    status          text        not null default 'queued',   -- queued | running | retry | done | failed
    attempts        int         not null default 0,
    next_attempt_at timestamptz not null default now(),
    locked_until    timestamptz,
    last_error      text,
    queued_at       timestamptz not null default now(),
    finished_at     timestamptz
);
create unique index runs_once on runs (forge, instance, repo, kind, subject, dedup) where status in ('queued', 'retry', 'running');
create index runs_waiting_by_id on runs (id) where status in ('queued', 'retry', 'running');
create index runs_running_by_repo on runs (forge, instance, repo) where status = 'running';

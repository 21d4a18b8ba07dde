-- Deliveries as received: the raw body is kept so a parked delivery can be replayed after a fix.
create table inbox (
    id              bigserial primary key,
    forge           text        not null,
    delivery_id     text        not null,
    event_type      text        not null,
    headers         jsonb       not null,
    body            bytea       not null,
    status          text        not null default 'received',   -- received | processing | retry | done | parked
    attempts        int         not null default 0,
    next_attempt_at timestamptz not null default now(),
    locked_until    timestamptz,
    last_error      text,
    received_at     timestamptz not null default now(),
    processed_at    timestamptz,
    unique (forge, delivery_id)
);
create index inbox_ready on inbox (next_attempt_at) where status in ('received', 'retry', 'processing');

-- One row per tracked git branch: tiers, working branches and PR CI branches (git_branch 'pull/<N>').
create table branches (
    forge           text        not null,
    repo            text        not null,
    git_branch      text        not null,
    db_branch       text        not null,
    parent          text,
    kind            text        not null,
    state           text        not null,
    head_sha        text,
    pr_number       bigint,
    actor_login     text,
    last_status     text,
    last_status_sha text,
    updated_at      timestamptz not null default now(),
    primary key (forge, repo, git_branch),
    unique (forge, repo, db_branch)
);

create table branch_history (
    id          bigserial primary key,
    forge       text        not null,
    repo        text        not null,
    git_branch  text        not null,
    at          timestamptz not null default now(),
    from_state  text,
    to_state    text        not null,
    reason      text        not null,
    sha         text
);
create index branch_history_branch on branch_history (forge, repo, git_branch, id);

-- Append-only, hash-chained. details is canonical JSON text, hashed exactly as stored.
create table audit (
    seq        bigint primary key,
    at         timestamptz not null,
    kind       text        not null,
    repo       text,
    subject    text,
    details    text        not null,
    prev_hash  text        not null,
    hash       text        not null
);

-- A tier's drift from its migrations as the last drift pass found it (JSON: the findings not accepted), and the
-- findings accepted as the tier's new baseline (tiergate drift accept), each with who accepted them and why.
create table tier_drift (
    forge       text        not null,
    repo        text        not null,
    tier        text        not null,
    findings    text        not null,
    checked_at  timestamptz not null default now(),
    primary key (forge, repo, tier)
);

create table drift_accepted (
    forge       text        not null,
    repo        text        not null,
    tier        text        not null,
    finding     text        not null,
    reason      text        not null,
    accepted_by text        not null,
    accepted_at timestamptz not null default now(),
    primary key (forge, repo, tier, finding)
);

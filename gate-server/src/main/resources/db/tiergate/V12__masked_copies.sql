-- A source tier's masked copy (policy masking): every copy made from the tier for anyone else comes from it. The salt
-- keys the deterministic masks (made once per tier, so a value masks alike across refreshes); copy_db is the last good
-- copy, kept in use while a later refresh fails (failed_at, failure: the rule and the column).
create table masked_copies (
    forge             text        not null,
    repo              text        not null,
    source_tier       text        not null,
    salt              text        not null,
    copy_db           text,
    rules_fingerprint text,
    made_at           timestamptz,
    failed_at         timestamptz,
    failure           text,
    failed_rules      text,
    primary key (forge, repo, source_tier)
);

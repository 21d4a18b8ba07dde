-- Per-actor API tokens (tiergate token create | list | revoke). Only a token's SHA-256 is kept: the token itself is
-- printed once, when it is made, and is nowhere else. A request's token is looked up by that hash among the tokens not
-- revoked (the partial index), so an unknown token and a revoked one take the same path and get the same answer.
create table api_tokens (
    id          text        primary key,   -- tok_<10 hex>: what list shows and revoke takes; not a secret
    token_hash  bytea       not null,      -- sha256 of the token's text
    actor       text        not null,      -- the forge login the token stands for
    repo        text,                      -- the one repository path it reaches; null: every repository
    created_at  timestamptz not null,
    created_by  text        not null,      -- who made it (the operator's account)
    expires_at  timestamptz not null,
    revoked_at  timestamptz,
    revoked_by  text,
    check (octet_length(token_hash) = 32),
    check (expires_at > created_at)
);
create unique index api_tokens_active_by_hash on api_tokens (token_hash) where revoked_at is null;

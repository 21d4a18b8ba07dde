-- A PR's view for agents (GET /api/v1/repos/{o}/{r}/pulls/{n}) is read from branches, rehearsals and merge_outcomes.
-- A write to any of them notifies the channel tiergate_pr_view with "<forge> <repo>", so a long-poll waiting on that
-- repository wakes on the write itself, whichever server on this store made it, instead of re-reading on a clock.
-- PostgreSQL sends a notification when the writing transaction commits and folds identical ones in a transaction into
-- one (www.postgresql.org/docs/current/sql-notify.html).
create function tiergate_pr_view_changed() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        perform pg_notify('tiergate_pr_view', old.forge || ' ' || old.repo);
    else
        perform pg_notify('tiergate_pr_view', new.forge || ' ' || new.repo);
    end if;
    return null;
end
$$;

create trigger branches_pr_view_changed after insert or update or delete on branches
    for each row execute function tiergate_pr_view_changed();
create trigger rehearsals_pr_view_changed after insert or update or delete on rehearsals
    for each row execute function tiergate_pr_view_changed();
create trigger merge_outcomes_pr_view_changed after insert or update or delete on merge_outcomes
    for each row execute function tiergate_pr_view_changed();

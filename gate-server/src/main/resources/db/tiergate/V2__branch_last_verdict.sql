-- The gate's last verdict on a branch, in words: the rule that decided it and its description, shown by the API
-- and the branch page even where the forge cannot update a status's text (GitLab keeps a pending job's first one).
alter table branches add column last_rule text;
alter table branches add column last_description text;

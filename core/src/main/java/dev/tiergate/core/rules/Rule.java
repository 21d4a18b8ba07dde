package dev.tiergate.core.rules;

import dev.tiergate.core.verdict.Severity;
import java.util.Optional;

/**
 * Every rule tiergate has, in one place: a stable id (what a refusal, a status, an audit record and the policy's
 * {@code severity} map name), the severity it has when the policy says nothing, what it means in one line, and the
 * fix. Code names a rule through this catalog ({@code Rule.MIGRATION_HEADER.id()}), never as a string literal.
 * docs/rules.md is generated from it ({@code RulesReferenceTest} in core's tests fails while the page is stale; run
 * {@code mvn -B -q -pl state-schemas,core test -Dtiergate.rules.write=true} to regenerate it).
 */
public enum Rule {
    // ---- the merge gate (core/gate, gate-server)
    GATE_OK("gate.ok", Severity.ERROR, "every rule holds: the status is success", "nothing to fix"),
    GATE_BASE_NOT_A_TIER(
            "gate.base-not-a-tier",
            Severity.ERROR,
            "the pull request's base is not a tier branch",
            "open the pull request into the tier the branch forked from"),
    GATE_EDGE_ONE_HOP(
            "gate.edge.one-hop",
            Severity.ERROR,
            "a tier merges only into its parent tier",
            "retarget the pull request to the parent tier"),
    GATE_UNKNOWN_BRANCH(
            "gate.unknown-branch",
            Severity.ERROR,
            "the head branch is neither a tier nor a working branch type",
            "rename the branch to one of the policy's working-branch types"),
    GATE_EDGE_SKIPS_TIER(
            "gate.edge.skips-tier",
            Severity.ERROR,
            "a working branch merges into a tier it did not fork from",
            "retarget the pull request to the branch type's tier"),
    GATE_ACTOR_TYPE_NOT_ALLOWED(
            "gate.actor.type-not-allowed",
            Severity.ERROR,
            "the actor's class may not use this working-branch type",
            "let an allowed actor open it"),
    GATE_ACTOR_EDGE_NOT_ALLOWED(
            "gate.actor.edge-not-allowed",
            Severity.ERROR,
            "the actor may not merge along this edge",
            "let an actor the edge allows merge it"),
    GATE_CI_NOT_GREEN("gate.ci-not-green", Severity.ERROR, "CI has not passed on the head commit", "make CI pass"),
    GATE_APPROVALS_MISSING(
            "gate.approvals.missing",
            Severity.ERROR,
            "fewer approvals than the edge needs",
            "get the approvals the edge names"),
    GATE_APPROVALS_AGENT_NEEDS_HUMAN(
            "gate.approvals.agent-needs-human",
            Severity.ERROR,
            "an agent's pull request needs a human approval",
            "ask a human to approve"),
    GATE_APPROVALS_ROLE_MISSING(
            "gate.approvals.role-missing",
            Severity.ERROR,
            "an approval rule of the policy matched the pull request (what its rehearsal measured, its phase, lint"
                    + " findings, files or author) and its reviewers have not approved this head",
            "ask a reviewer holding the named role (or in the named team) to approve the head commit; tiergate"
                    + " requests the review itself where the forge allows it"),
    GATE_APPROVALS_AWAITING_REHEARSAL(
            "gate.approvals.awaiting-rehearsal",
            Severity.ERROR,
            "the policy routes review by what the rehearsal measures, and this head's rehearsal has not finished",
            "wait: the verdict follows the rehearsal (see tiergate/migrations)"),
    GATE_NO_POLICY(
            "gate.no-policy",
            Severity.ERROR,
            "the base commit has no policy, so the gate does not apply",
            "commit .tiergate/policy.yaml on the base branch"),
    GATE_WAITING(
            "gate.waiting",
            Severity.ERROR,
            "tiergate could not finish judging the pull request: the forge or the database branch backend is down, slow or "
                    + "rate-limiting; the status says what it waits on and when it retries",
            "nothing: it retries by itself; once it gave up, the next reconcile pass tries again"),
    GATE_MERGED_WITHOUT_SUCCESS(
            "gate.merged-without-success",
            Severity.ERROR,
            "a pull request was merged while its tiergate status was not success (recorded, not refused)",
            "require the tiergate/workflow status in the forge's branch protection"),
    // ---- the policy file
    POLICY_SYNTAX("policy.syntax", Severity.ERROR, "the policy is not valid YAML", "fix the YAML syntax"),
    POLICY_SCHEMA(
            "policy.schema", Severity.ERROR, "the policy breaks its JSON Schema", "fix the field the message names"),
    POLICY_TIERS_ONE_ROOT(
            "policy.tiers.one-root",
            Severity.ERROR,
            "exactly one tier has no parent",
            "give every tier but the root a parent"),
    POLICY_TIERS_PARENT_EXISTS(
            "policy.tiers.parent-exists", Severity.ERROR, "a tier's parent is not a tier", "name an existing tier"),
    POLICY_TIERS_NO_CYCLE(
            "policy.tiers.no-cycle", Severity.ERROR, "the parent chain has a cycle", "make the tiers one tree"),
    POLICY_TIERS_UNIQUE("policy.tiers.unique", Severity.ERROR, "two tiers share a name or branch", "rename one"),
    POLICY_TYPES_UNIQUE("policy.types.unique", Severity.ERROR, "two working-branch types share a name", "rename one"),
    POLICY_TYPES_TARGET_EXISTS(
            "policy.types.target-exists",
            Severity.ERROR,
            "a working-branch type targets no tier",
            "name an existing tier"),
    POLICY_TYPES_NO_SKIP(
            "policy.types.no-skip",
            Severity.ERROR,
            "a non-hotfix type targets a tier above its fork",
            "target the tier it forks from"),
    POLICY_EDGES_ENDS_EXIST(
            "policy.edges.ends-exist",
            Severity.ERROR,
            "an edge names a tier that does not exist",
            "name existing tiers"),
    POLICY_EDGES_NO_SKIP(
            "policy.edges.no-skip", Severity.ERROR, "an edge skips a tier", "make the edge one parent hop"),
    POLICY_EDGES_UNIQUE("policy.edges.unique", Severity.ERROR, "two edges join the same tiers", "merge them into one"),
    POLICY_MASKING(
            "policy.masking",
            Severity.ERROR,
            "the policy's masking cannot be applied: a method tiergate does not have, a source tier the policy does not"
                    + " name, a column ruled twice, anon() without the anon extension",
            "use hash, fake_email, fake_name, fake_phone, partial(a, b), null, constant(v), shuffle or anon(fn) (with"
                    + " anon in migrations.extensions), one rule per column, and tiers the policy names"),
    POLICY_APPROVAL_RULES(
            "policy.approval-rules",
            Severity.ERROR,
            "an approval rule cannot be judged or met: a name used twice, a tier, role or lint rule the policy or"
                    + " tiergate does not have, a condition with nothing to ask",
            "name existing tiers and lint rules, a role some actor holds (or a team), and one name per rule"),
    POLICY_ACTORS_UNIQUE("policy.actors.unique", Severity.ERROR, "two actors share an id or e-mail", "keep one"),
    POLICY_ACCESS_NAMES(
            "policy.access.names",
            Severity.ERROR,
            "database_access names a group, tier or working-branch type the policy does not have",
            "use a group from database_access.groups, a tier from tiers, a type from working_branch_types (or ci)"),
    POLICY_ACCESS_VALUES(
            "policy.access.values",
            Severity.ERROR,
            "a database_access group has a value the database branches cannot take: a name no role may have, a privilege"
                    + " beyond table privileges (or none), a schema or table that is not a plain schema or schema.table",
            "name groups [a-z][a-z0-9_]{0,30}; give them select, insert, update, delete, truncate, references or trigger;"
                    + " write schemas: [public] and tables: [public.orders]"),
    POLICY_MIGRATIONS_NAMING(
            "policy.migrations.naming",
            Severity.ERROR,
            "the migration naming template is invalid",
            "use {timestamp} or {version} and {description}"),
    POLICY_SEVERITY_RULE(
            "policy.severity.rule",
            Severity.ERROR,
            "the severity map names a rule that takes no severity",
            "use a rule id the message lists"),
    POLICY_INVALID(
            "policy.invalid",
            Severity.ERROR,
            "the server could not read the base commit's policy",
            "fix the policy on the base branch"),
    // ---- database access (the policy's database_access, the server's branch API)
    PERMISSIONS_NO_ACCESS(
            "permissions.no-access",
            Severity.ERROR,
            "database_access gives the actor no group on the branch, so the server hands out no login there",
            "ask for a branch where the policy grants you a group, or have database_access changed on the default branch"),
    // ---- state files
    STATE_JSON(
            "state.json",
            Severity.ERROR,
            "a workflow state file is not strict JSON",
            "write one JSON object, no BOM, nothing after it"),
    STATE_SCHEMA(
            "state.schema",
            Severity.ERROR,
            "a workflow state file breaks its schema",
            "fix the field the message names"),
    STATE_BRANCH_MISMATCH(
            "state.branch-mismatch",
            Severity.ERROR,
            "a kit state row committed on the wrong branch",
            "commit it on the branch it names"),
    // ---- migrations
    MIGRATION_NAMING(
            "migration.naming",
            Severity.ERROR,
            "a migration's file name breaks the naming template",
            "git mv it to the suggested name"),
    MIGRATION_VERSION_DUPLICATE(
            "migration.version-duplicate",
            Severity.ERROR,
            "two migrations share a version",
            "take the next free version"),
    MIGRATION_VERSION_ORDER(
            "migration.version-order",
            Severity.ERROR,
            "a version older than the newest on the tier",
            "take the next free version"),
    MIGRATION_HEADER(
            "migration.header",
            Severity.ERROR,
            "no refactoring or phase in the header",
            "add '-- refactoring:' and '-- phase:'"),
    MIGRATION_DESTRUCTIVE(
            "migration.destructive-outside-contract",
            Severity.ERROR,
            "DROP TABLE, DROP COLUMN, TRUNCATE or DELETE without WHERE outside a contract-phase migration",
            "expand first (add the new structure, keep the old one working), then drop in a later migration with"
                    + " '-- phase: contract' once the expand phase has reached the tier"),
    MIGRATION_IMMUTABLE(
            "migration.immutable",
            Severity.ERROR,
            "a committed migration was edited or deleted",
            "restore it and put the change in a new migration"),
    MIGRATION_APPLIED_EDITED(
            "migration.applied-edited",
            Severity.ERROR,
            "a migration the target tier has applied differs from its file (Flyway's checksums)",
            "restore the file as applied and put the change in a new migration"),
    MIGRATION_APPLIED_REMOVED(
            "migration.applied-removed",
            Severity.ERROR,
            "a migration the target tier has applied is gone",
            "restore the file; undo its effect with a new migration"),
    MIGRATION_VERSION_TAKEN(
            "migration.version-taken",
            Severity.ERROR,
            "another open pull request into the same tier adds the same version",
            "give one of the two migrations a newer version"),
    MIGRATION_REHEARSAL_FAILED(
            "migration.rehearsal-failed",
            Severity.ERROR,
            "a migration failed when rehearsed on a fresh copy of the target tier",
            "fix the statement PostgreSQL named"),
    MIGRATION_NOT_FLYWAY(
            "migration.not-flyway",
            Severity.WARNING,
            "the migrations are not Flyway SQL migrations: checked, not run",
            "run them in CI against the branch's database"),
    MIGRATION_OK(
            "migration.ok",
            Severity.ERROR,
            "every migration rule holds and the rehearsal applied them all",
            "nothing to fix"),
    MASKING_COLUMN_UNRULED(
            "masking.column-unruled",
            Severity.ERROR,
            "a migration adds a column that looks like personal data (by its name or type) where the policy masks"
                    + " data, and no masking rule or waiver covers it",
            "add a rule for it to masking.rules in .tiergate/policy.yaml (in this PR is fine), or waive it in the"
                    + " migration: -- tiergate:not-personal <table>.<column> <why>"),
    MASKING_FAILED(
            "masking.failed",
            Severity.ERROR,
            "a source tier's masked copy could not be made or verified, so no copy of the tier is handed out (the last"
                    + " good masked copy stays in use)",
            "fix the rule it names (its table, column or method) in .tiergate/policy.yaml's masking, or the tier"),
    MIGRATION_TIER_DRIFTED(
            "migration.tier-drifted",
            Severity.ERROR,
            "the target tier is no longer what its migrations say (a change by hand, a version no file has, a hotfix on"
                    + " its parent it lacks) and the policy holds on drift (tiers[].drift: hold)",
            "see the drift with tiergate drift --tier <tier>; fix it by a migration (or a back-merge), or accept it as"
                    + " the baseline with tiergate drift accept --tier <tier> --reason <why>"),
    MIGRATION_TIER_HELD(
            "migration.tier-held",
            Severity.ERROR,
            "the target tier is held after a migration failed on it",
            "roll the tier back or fix it, then release it"),
    MIGRATION_TIER_MIGRATE_FAILED(
            "migration.tier-migrate-failed",
            Severity.ERROR,
            "a merged pull request's migration failed on the tier; the tier was restored from its snapshot (recorded, not refused)",
            "fix the migration in a new pull request and release the tier"),
    MIGRATION_CONTRACT_BEFORE_EXPAND(
            "migration.contract-before-expand",
            Severity.ERROR,
            "a contract-phase migration whose refactoring's expand phase has not reached the target tier in an earlier merge",
            "merge the expand-phase migration into the tier first; contract in a later pull request"),
    MIGRATION_TIER_DIRECT(
            "migration.tier-direct",
            Severity.ERROR,
            "a migration added directly on a tier branch",
            "add it on a working branch and merge"),
    PERMISSIONS_DRIFTED(
            "permissions.drifted",
            Severity.ERROR,
            "the target tier's privileges differ from the policy's database_access (a grant made by hand), and the policy"
                    + " says drift: hold for it",
            "run tiergate grants diff to see it, then tiergate grants apply --tier <tier> (audited), or undo it by hand"),
    MIGRATION_DEADLINE_EXCEEDED(
            "migration.deadline-exceeded",
            Severity.ERROR,
            "a run of the migrations passed its deadline and was stopped from outside its session",
            "make the migration faster (batch a backfill, add the index CONCURRENTLY in its own file) or raise migrations.run_minutes"),
    MIGRATION_BRANCH_TOO_LARGE(
            "migration.branch-too-large",
            Severity.ERROR,
            "a branch database grew past its size bound while migrations ran on it; it was stopped and dropped",
            "write less (backfill in batches on the tier, not in a migration) or raise migrations.branch_size_limit_mb"),
    // ---- workflow, hooks, CLI
    WORKFLOW_NO_CLAIM(
            "workflow.no-claim",
            Severity.ERROR,
            "a commit on a working branch nobody claimed",
            "tiergate claim the feature"),
    WORKFLOW_ABANDON(
            "workflow.abandon",
            Severity.ERROR,
            "abandon of a feature that is not in flight",
            "abandon only a claimed feature"),
    TESTS_AGENT_DELETED(
            "tests.agent-deleted",
            Severity.ERROR,
            "an agent deleted a test not listed as superseded",
            "restore it, or claim with --supersedes"),
    COMMIT_MSG_TRAILERS(
            "commit-msg.trailers", Severity.ERROR, "Tiergate-* trailers contradict the commit", "correct the trailers"),
    PUSH_PROTECTED_TIER(
            "push.protected-tier",
            Severity.ERROR,
            "a direct push to a protected tier",
            "push a working branch and open a pull request"),
    BRANCH_PROTECTED_TIER(
            "branch.protected-tier",
            Severity.ERROR,
            "the server will not delete a tier's database branch",
            "nothing: the tier's database is kept"),
    CLAIM_TYPE(
            "claim.type",
            Severity.ERROR,
            "claim with a working-branch type the policy does not have",
            "use a type from the policy"),
    CLAIM_ACTOR(
            "claim.actor", Severity.ERROR, "the actor may not claim this branch type", "let an allowed actor claim it"),
    CLAIM_EXISTS("claim.exists", Severity.ERROR, "the branch already has a claim", "abandon it first or work on it"),
    INSTALL_LAUNCHER("install.launcher", Severity.ERROR, "no launcher that runs tiergate was found", "run install.sh"),
    // ---- the SQL lint (core/lint)
    SQL_NOT_ANALYSED(
            "sql.not-analysed",
            Severity.WARNING,
            "a statement the parser cannot read, or one with tokens left over after it is complete; no rule looked at it",
            "check it by hand, or rewrite it in a form the parser reads"),
    SQL_MISSING_SEMICOLON(
            "sql.missing-semicolon",
            Severity.ERROR,
            "two statements with no semicolon between them: PostgreSQL reads them as one and fails on it",
            "end the first statement with a semicolon"),
    SQL_INDEX_NOT_CONCURRENT(
            "sql.index-not-concurrent",
            Severity.ERROR,
            "CREATE INDEX without CONCURRENTLY on an existing table blocks writes while it builds",
            "CREATE INDEX CONCURRENTLY, in a migration that runs outside a transaction"),
    SQL_CONCURRENTLY_IN_TRANSACTION(
            "sql.concurrently-in-transaction",
            Severity.ERROR,
            "a statement that cannot run inside a transaction block (CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY,"
                    + " VACUUM, ...) in a file the migration tool (policy migrations.tool) runs in one, or after the file's own BEGIN",
            "run it outside a transaction the way the migration tool allows, as the message says (Flyway: alone in its"
                    + " own script, or executeInTransaction=false in the script's .sql.conf file)"),
    SQL_MIXED_TRANSACTION(
            "sql.mixed-transaction",
            Severity.ERROR,
            "a Flyway script that mixes non-transactional statements (CREATE INDEX CONCURRENTLY, ...) with transactional"
                    + " ones: Flyway refuses it while its mixed setting is off",
            "split the file: the non-transactional statements alone in a migration of their own, which Flyway runs"
                    + " outside a transaction"),
    SQL_CONCURRENTLY_FLYWAY_LOCK(
            "sql.concurrently-flyway-lock",
            Severity.WARNING,
            "CONCURRENTLY under Flyway's transactional advisory lock (postgresql.transactional.lock, on by default):"
                    + " the statement waits for the lock's open transaction, which waits for the statement",
            "set postgresql.transactional.lock=false in the team's Flyway configuration"
                    + " (FLYWAY_POSTGRESQL_TRANSACTIONAL_LOCK=false) and say so in .tiergate/policy.yaml:"
                    + " migrations.flyway.transactional_lock: false"),
    SQL_CONSTRAINT_NOT_VALID(
            "sql.constraint-not-valid",
            Severity.ERROR,
            "a foreign key or check constraint added to an existing table scans it under a lock",
            "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later migration"),
    SQL_NOT_NULL_WITHOUT_DEFAULT(
            "sql.not-null-without-default",
            Severity.ERROR,
            "ADD COLUMN ... NOT NULL without a DEFAULT fails on an existing table with rows",
            "add the column with a DEFAULT, or nullable and backfill, then constrain it"),
    SQL_SET_NOT_NULL(
            "sql.set-not-null",
            Severity.ERROR,
            "SET NOT NULL scans the table under an ACCESS EXCLUSIVE lock unless a validated CHECK (col IS NOT NULL) exists",
            "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT c in a later migration, then SET NOT NULL"),
    SQL_COLUMN_TYPE_CHANGE(
            "sql.column-type-change",
            Severity.ERROR,
            "ALTER COLUMN ... TYPE usually rewrites the table under an ACCESS EXCLUSIVE lock and breaks running code",
            "expand: add a new column, backfill, switch readers, drop the old one in a contract-phase migration"),
    SQL_RENAME(
            "sql.rename",
            Severity.ERROR,
            "renaming a column or a table breaks the code still running against the old name",
            "expand: add the new name (column or view), move readers and writers, drop the old in a contract-phase migration"),
    SQL_LOCK_TIMEOUT(
            "sql.lock-timeout-missing",
            Severity.WARNING,
            "a statement that takes a lock blocking writes on an existing table (ACCESS EXCLUSIVE; SHARE ROW EXCLUSIVE"
                    + " for a trigger or a foreign key to it), with no lock_timeout set before it: it queues behind long"
                    + " transactions and blocks every query behind it",
            "SET lock_timeout = '2s'; (or SET LOCAL in a transaction) before the statement, and retry on timeout"),
    SQL_UNIQUE_WITHOUT_INDEX(
            "sql.unique-without-index",
            Severity.ERROR,
            "ADD CONSTRAINT ... UNIQUE/PRIMARY KEY on an existing table builds the index under an ACCESS EXCLUSIVE lock",
            "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX"),
    SQL_INT_PRIMARY_KEY(
            "sql.int-primary-key",
            Severity.WARNING,
            "a serial or int primary key runs out at 2^31",
            "bigint GENERATED ALWAYS AS IDENTITY"),
    SQL_TIMESTAMP_WITHOUT_TIME_ZONE(
            "sql.timestamp-without-time-zone",
            Severity.WARNING,
            "timestamp without time zone stores a wall-clock time with no zone",
            "use timestamptz"),
    SQL_CHAR_TYPE(
            "sql.char-type", Severity.WARNING, "char(n) pads with spaces and saves nothing", "use text or varchar"),
    SQL_MISSING_IF_EXISTS(
            "sql.missing-if-exists",
            Severity.WARNING,
            "CREATE without IF NOT EXISTS or DROP without IF EXISTS fails when the script runs again: a repeatable"
                    + " migration, or one the tool runs outside a transaction and re-runs after a partial failure"
                    + " (not a versioned migration the tool applies once in a transaction)",
            "add IF NOT EXISTS / IF EXISTS"),
    SQL_CLUSTER_STATEMENT(
            "sql.cluster-statement",
            Severity.ERROR,
            "a statement outside a migration's reach on tiergate (databases, roles, role membership, ALTER SYSTEM, server"
                    + " files and programs, untrusted languages and extensions, SET ROLE, LOAD): the migration runs as a"
                    + " role that owns only its branch database, so it fails there or would reach beyond it",
            "leave it to the policy and operations (databases, roles and grants of membership), list an extension under"
                    + " migrations.extensions in .tiergate/policy.yaml, or load data with COPY ... FROM STDIN"),
    SQL_PRIVILEGE_CHANGE(
            "sql.privilege-change",
            Severity.WARNING,
            "a change of privileges inside a migration (GRANT/REVOKE on objects, ALTER DEFAULT PRIVILEGES, row-level"
                    + " security policies), where a reviewer of schema changes does not look for it",
            "put database access in the policy file (.tiergate/policy.yaml, database access) so the reviewer sees it;"
                    + " keep it here only with -- tiergate:ignore sql.privilege-change <reason>");

    private final String id;
    private final Severity defaultSeverity;
    private final String meaning;
    private final String fix;

    Rule(String id, Severity defaultSeverity, String meaning, String fix) {
        this.id = id;
        this.defaultSeverity = defaultSeverity;
        this.meaning = meaning;
        this.fix = fix;
    }

    public String id() {
        return id;
    }

    public Severity defaultSeverity() {
        return defaultSeverity;
    }

    public String meaning() {
        return meaning;
    }

    public String fix() {
        return fix;
    }

    public static Optional<Rule> byId(String id) {
        for (Rule r : values()) {
            if (r.id.equals(id)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return id;
    }
}

package dev.tiergate.server.gate;

import dev.tiergate.core.drift.DriftFinding;
import dev.tiergate.core.gate.ApprovalRouting;
import dev.tiergate.core.gate.BranchClassifier;
import dev.tiergate.core.gate.GateStatus;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.gate.RehearsalEvidence;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.migration.MigrationName;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.publish.PublishedError;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.schema.SchemaDiff;
import dev.tiergate.core.schema.SchemaSnapshot;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.backend.RunStop;
import dev.tiergate.server.forge.CommitChecks;
import dev.tiergate.server.forge.CommitStatus;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.migrate.FlywayRunner;
import dev.tiergate.server.migrate.MigrationFile;
import dev.tiergate.server.migrate.MigrationRun;
import dev.tiergate.server.migrate.MigrationSource;
import dev.tiergate.server.migrate.SchemaCatalog;
import dev.tiergate.server.migrate.SeedLoader;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.MigrationStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.flywaydb.core.api.MigrationVersion;

/**
 * The database half of the gate: a tier holds the migrations of its git branch; every PR's migrations are
 * rehearsed on {@code ci-pr-<N>}, a fresh copy of its base tier, after the hooks' rules are checked again (a
 * commit made with {@code --no-verify} meets them here); a merge applies them to the tier, one at a time, after a
 * snapshot, and a failure restores the tier and holds it. The verdict is the {@code tiergate/migrations} status and
 * one PR comment, updated in place.
 */
final class DatabaseMigrations {
    static final String CONTEXT = "tiergate/migrations";
    static final String MARKER = "<!-- tiergate:migrations -->";
    static final String APPLIED_EDITED = Rule.MIGRATION_APPLIED_EDITED.id();
    static final String APPLIED_REMOVED = Rule.MIGRATION_APPLIED_REMOVED.id();
    static final String VERSION_TAKEN = Rule.MIGRATION_VERSION_TAKEN.id();
    static final String REHEARSAL_FAILED = Rule.MIGRATION_REHEARSAL_FAILED.id();
    static final String TIER_HELD = Rule.MIGRATION_TIER_HELD.id();
    static final String NOT_FLYWAY = Rule.MIGRATION_NOT_FLYWAY.id();

    private final Forge forge;
    private final BranchBackend backend;
    private final MigrationStore store;
    private final AuditTrail audit;
    private final StatusPublisher statuses;
    private final GatePages pages;
    private final MigrationSource source;
    private final PullRequestChanges changes;
    private final MigrationChecks rules;
    private final AccessKeeper access;
    /**
     * repo|database branch → the head this process last saw it follow without a problem, and the fingerprint of that
     * head's migration files. A push that changes no migration file then asks Flyway nothing. Per process and
     * bounded: a miss (a restart, another server followed since) only costs the Flyway runs.
     */
    private final Map<String, Followed> followed = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Followed> eldest) {
            return size() > 10_000;
        }
    });

    private record Followed(String head, String files) {}

    private final DriftCheck drift;
    private final MaskedCopies masked;
    private final UnruledColumns unruled;

    DatabaseMigrations(
            Forge forge,
            BranchBackend backend,
            MigrationStore store,
            AuditTrail audit,
            StatusPublisher statuses,
            GatePages pages,
            PullRequestChanges changes,
            AccessKeeper access,
            DriftCheck drift,
            MaskedCopies masked) {
        this.masked = masked;
        this.unruled = new UnruledColumns(forge, audit);
        this.drift = drift;
        this.access = access;
        this.changes = changes;
        this.rules = new MigrationChecks();
        this.forge = forge;
        this.backend = backend;
        this.store = store;
        this.audit = audit;
        this.statuses = statuses;
        this.pages = pages;
        this.source = new MigrationSource(forge);
    }

    /** Flyway runs what the policy names {@code V{timestamp}__{description}.sql}; other tools' migrations are not run. */
    static boolean runnable(MigrationSettings s) {
        return s.naming().startsWith("V") && s.naming().endsWith(".sql");
    }

    /**
     * Whether every file is a versioned migration that {@code applied} holds as a success, by Flyway's version
     * equality. Any other file (a repeatable migration, a stray file) makes it false: only Flyway can say what it does.
     */
    static boolean allApplied(
            List<MigrationFile> files, List<FlywayRunner.Applied> applied, MigrationSettings settings) {
        Set<MigrationVersion> done = new HashSet<>();
        for (FlywayRunner.Applied a : applied) {
            if (a.success() && a.version() != null) {
                done.add(MigrationVersion.fromVersion(a.version()));
            }
        }
        for (MigrationFile f : files) {
            Optional<MigrationName> name = MigrationName.parse(f.fileName(), settings.naming());
            if (name.isEmpty()
                    || !done.contains(MigrationVersion.fromVersion(name.get().version()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A new tier's database gets its seed (when the policy names one) and the migrations at its git branch's head. A
     * failure holds the tier with the reason, so PRs into it say what is wrong instead of merging onto a half-made tier.
     */
    /** Whether a merge's failed migration holds the tier (a set-up's own failure holds it with no PR). */
    boolean heldByAMerge(RepoRef repo, String tierDb) {
        return store.held(repo, tierDb).map(h -> h.pr() != null).orElse(false);
    }

    void setUpTier(RepoRef repo, Policy policy, Tier tier, boolean madeNow) {
        try {
            seedAndMigrate(repo, policy, tier, madeNow);
        } catch (RuntimeException e) {
            // the hold's reason (the dashboard) keeps PostgreSQL's whole text; the audit trail, which is exported, does
            // not
            String db = DbBranchName.of(tier.name());
            store.hold(repo, db, null, "setting up the tier failed: " + e.getMessage(), null);
            audit.append(
                    AuditKind.REFUSAL,
                    repo,
                    tier.branch(),
                    Map.of(
                            "rule",
                            Rule.MIGRATION_TIER_HELD.id(),
                            "message",
                            "setting up tier " + tier.name() + " failed ("
                                    + e.getClass().getSimpleName() + "); the dashboard shows why"));
        }
    }

    /**
     * The seed loads into a tier made by this very run, or one that holds no table yet (made by a run that stopped
     * before its seed): never twice.
     */
    private void seedAndMigrate(RepoRef repo, Policy policy, Tier tier, boolean madeNow) {
        if (!runnable(policy.migrations())) {
            return;
        }
        Optional<String> head = forge.branchHead(repo, tier.branch());
        if (head.isEmpty()) {
            return;
        }
        String db = DbBranchName.of(tier.name());
        byte[] seed = null;
        if (tier.seed() != null) {
            Optional<byte[]> found = forge.fileAt(repo, head.get(), tier.seed());
            if (found.isEmpty()) {
                store.hold(
                        repo,
                        db,
                        null,
                        "the policy's seed " + tier.seed() + " is not on " + tier.branch() + " at " + head.get(),
                        null);
                audit.append(
                        AuditKind.REFUSAL,
                        repo,
                        tier.branch(),
                        Map.of(
                                "rule",
                                Rule.MIGRATION_TIER_HELD.id(),
                                "message",
                                "seed " + tier.seed() + " not found at " + head.get()
                                        + "; commit it or remove seed from the tier in the policy"));
                return;
            }
            seed = found.get();
        }
        List<MigrationFile> files = judged(source.at(repo, head.get(), policy.migrations()), policy.migrations());
        if (files.isEmpty() && seed == null) {
            backend.tierMoved(repo, db);
            access.afterTierMoved(
                    repo, policy, tier); // the groups' default privileges, for what the first migration creates
            return;
        }
        // setting up is a run like any other: the seed and the migrations are repository content (no size bound: a
        // seed may be as large as the team's data)
        MigrationRun run = MigrationRun.nothing();
        Optional<RunStop> stop;
        try (MigrationSession session =
                backend.openRun(repo, db, RunLimits.deadline(policy.migrations().runDeadline()))) {
            if (seed != null
                    && (madeNow
                            || SchemaCatalog.read(session.connection()).tables().isEmpty())) {
                int loaded = SeedLoader.load(session.connection(), new String(seed, StandardCharsets.UTF_8));
                audit.append(
                        AuditKind.TIER_SEED,
                        repo,
                        tier.branch(),
                        Map.of("tier", tier.name(), "seed", tier.seed(), "sha", head.get(), "statements", loaded));
            }
            if (!files.isEmpty()) {
                backend.createExtensions(repo, db, policy.migrations().extensions());
                run = FlywayRunner.migrate(session.connection(), files);
            }
            stop = session.stopped();
        }
        boolean ok = run.ok() && stop.isEmpty();
        if (!files.isEmpty() || !ok) {
            audit.append(
                    ok ? AuditKind.TIER_MIGRATE : AuditKind.REFUSAL,
                    repo,
                    tier.branch(),
                    Map.of(
                            "tier",
                            tier.name(),
                            "sha",
                            head.get(),
                            "applied",
                            versions(run, MigrationRun.Outcome.APPLIED),
                            "ok",
                            ok,
                            "error",
                            ok ? "" : published(run, stop, policy.migrations(), files)));
        }
        if (!ok) {
            store.hold(
                    repo,
                    db,
                    null,
                    "setting up the tier from " + tier.branch() + " failed: " + failure(run, stop, policy.migrations()),
                    null);
        }
        backend.tierMoved(repo, db);
        access.afterTierMoved(repo, policy, tier);
    }

    /**
     * A working branch's database follows its git branch: the migrations a push adds are applied; when a push edits
     * or removes a migration the database already applied, the database is reset from its tier and the branch's
     * migrations applied again, and the audit says so. {@code followedHead}: the head the branch's record says its
     * database followed (null for a new branch).
     */
    void followWorkingBranch(
            RepoRef repo,
            Policy policy,
            String gitBranch,
            String dbBranch,
            String tierDb,
            String head,
            String followedHead) {
        if (!runnable(policy.migrations()) || tierDb == null) {
            return;
        }
        List<MigrationFile> files = judged(source.at(repo, head, policy.migrations()), policy.migrations());
        String key = repo.forge() + "|" + repo.path() + "|" + dbBranch;
        String fingerprint = fingerprint(files);
        Followed last = followed.get(key);
        if (followedHead != null
                && last != null
                && last.head().equals(followedHead)
                && last.files().equals(fingerprint)) {
            // the database followed the recorded head, whose migration files are these very files: nothing to apply
            followed.put(key, new Followed(head, fingerprint));
            return;
        }
        followed.remove(key);
        RunLimits limits = limits(repo, policy.migrations(), tierDb);
        // one run validates and migrates; a second only when the first found applied files rewritten, since the
        // database it ran on is then made again from the tier
        List<FlywayRunner.Problem> rewritten;
        Ran ran = null;
        try (MigrationSession session = backend.openRun(repo, dbBranch, limits)) {
            rewritten = FlywayRunner.validate(session.connection(), files);
            if (rewritten.isEmpty()) {
                ran = migrateIn(session, repo, dbBranch, policy, files);
            }
        }
        if (ran == null) {
            resetToTier(
                    repo,
                    policy,
                    gitBranch,
                    dbBranch,
                    tierDb,
                    head,
                    "a migration it had applied was edited or removed: "
                            + rewritten.get(0).code() + " "
                            + rewritten.get(0).version());
            try (MigrationSession session = backend.openRun(repo, dbBranch, limits)) {
                ran = migrateIn(session, repo, dbBranch, policy, files);
            }
        }
        MigrationRun run = ran.run();
        Optional<RunStop> stop = ran.stop();
        boolean ok = run.ok() && stop.isEmpty();
        if (stop.filter(RunStop.SIZE::equals).isEmpty()) {
            access.afterRun(repo, policy, dbBranch);
        }
        String applied = versions(run, MigrationRun.Outcome.APPLIED);
        if (!applied.isEmpty() || !ok) {
            audit.append(
                    AuditKind.BRANCH_MIGRATE,
                    repo,
                    gitBranch,
                    Map.of(
                            "db_branch",
                            dbBranch,
                            "sha",
                            head,
                            "applied",
                            applied,
                            "ok",
                            ok,
                            "error",
                            ok ? "" : published(run, stop, policy.migrations(), files)));
        }
        if (stop.filter(RunStop.SIZE::equals).isPresent()) {
            // over its bound: what it wrote goes, the branch starts again from its tier
            resetToTier(repo, policy, gitBranch, dbBranch, tierDb, head, Rule.MIGRATION_BRANCH_TOO_LARGE.id());
        }
        if (ok) { // a failed run is tried again at the next push, whatever it changes (a lock timeout passes)
            followed.put(key, new Followed(head, fingerprint));
        }
    }

    /** What a run on a working branch gave: Flyway's outcome, and the watchdog's stop if it stopped the run. */
    private record Ran(MigrationRun run, Optional<RunStop> stop) {}

    private Ran migrateIn(
            MigrationSession session, RepoRef repo, String dbBranch, Policy policy, List<MigrationFile> files) {
        backend.createExtensions(repo, dbBranch, policy.migrations().extensions());
        MigrationRun run = FlywayRunner.migrate(session.connection(), files);
        return new Ran(run, session.stopped());
    }

    /** A working branch's database made again from its tier, audited with why. */
    private void resetToTier(
            RepoRef repo, Policy policy, String gitBranch, String dbBranch, String tierDb, String head, String reason) {
        backend.reset(repo, dbBranch, masked.copyFrom(repo, policy, tierDb));
        audit.append(
                AuditKind.BRANCH_RESET,
                repo,
                gitBranch,
                Map.of("db_branch", dbBranch, "from", tierDb, "sha", head, "reason", reason));
    }

    /** The migration files' names and contents, as one SHA-256 (hex). */
    static String fingerprint(List<MigrationFile> files) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        files.stream().sorted(Comparator.comparing(MigrationFile::fileName)).forEach(f -> {
            sha.update(f.fileName().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(ByteBuffer.allocate(8).putLong(f.content().length).array());
            sha.update(f.content());
        });
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Whether the PR's base tier is held after a failed migration; the workflow status refuses while it is. */
    Optional<MigrationStore.Held> held(RepoRef repo, String tierDb) {
        return store.held(repo, tierDb);
    }

    /** Whether the PR's head and base are the ones last rehearsed: {@link #rehearseIfNeeded} would do nothing. */
    boolean rehearsed(RepoRef repo, PullRequestFacts pr) {
        return store.rehearsal(repo, pr.number())
                .filter(last ->
                        last.headSha().equals(pr.headSha()) && last.baseSha().equals(pr.baseSha()))
                .isPresent();
    }

    /**
     * Rehearses the PR's migrations unless the last rehearsal already ran on this head and base. Returns the other
     * open PRs into the same tier that take one of this PR's versions and have not been told yet (their last
     * rehearsal passed): the caller rehearses them again, and they name this PR. A PR already told is not told
     * again, so two colliding PRs do not wake each other without end.
     */
    List<Long> rehearseIfNeeded(RepoRef repo, PullRequestFacts pr, Policy policy, Tier baseTier, CommitChecks checks) {
        if (rehearsed(repo, pr)) {
            return List.of();
        }
        MigrationSettings settings = policy.migrations();
        String tierDb = DbBranchName.of(baseTier.name());
        String ciDb = BranchClassifier.ciDbBranch(pr.number());
        // ci-pr-<N> is made here the first time, and made afresh for every later head: one copy per rehearsal
        String copyFrom;
        try {
            copyFrom = masked.copyFrom(repo, policy, tierDb); // a masked tier's PRs rehearse on its masked copy
        } catch (MaskedCopies.Unavailable u) {
            noMaskedCopy(repo, pr, baseTier, checks, u);
            return List.of();
        }
        boolean copiedJustNow = !backend.exists(repo, ciDb);
        if (copiedJustNow) {
            backend.create(repo, ciDb, copyFrom);
            audit.append(
                    AuditKind.BRANCH_CREATE,
                    repo,
                    BranchClassifier.ciGitBranch(pr.number()),
                    Map.of("db_branch", ciDb, "parent", tierDb, "head", pr.headBranch()));
        }
        List<MigrationFile> head = source.at(repo, pr.headSha(), settings);
        // the PR's own changes are those since its merge base: a file merged into the tier after the PR forked is not
        // one the PR removed
        String mergeBase = changes.of(repo, pr.baseSha(), pr.headSha()).mergeBase();
        String forkedAt = mergeBase == null ? pr.baseSha() : mergeBase;
        List<MigrationFile> base = source.at(repo, forkedAt, settings);
        List<String> added = addedVersions(head, base, settings);
        List<Refusal> refusals = new ArrayList<>();
        List<Refusal> warnings = new ArrayList<>();
        List<Long> collidingPrs = new ArrayList<>();
        MigrationRun run = MigrationRun.nothing();
        Optional<RunStop> stop = Optional.empty();
        List<SchemaDiff.Change> diff = List.of();
        SchemaSnapshot schemaBefore = null;
        SchemaSnapshot schemaAfter = null;
        if (!runnable(settings)) {
            judge(head, base, settings, tierDb, List.of(), List.of(), policy, refusals, warnings);
            collidingPrs.addAll(collisions(repo, pr, baseTier, tierDb, added, refusals));
            refusals.add(new Refusal(
                    NOT_FLYWAY,
                    settings.directory(),
                    "migrations named " + settings.naming() + " are not Flyway SQL migrations;"
                            + " tiergate checks them but does not run them",
                    "run them in CI against the branch's database"));
        } else {
            if (!copiedJustNow) {
                backend.reset(repo, ciDb, copyFrom); // a copy made just now is already fresh: one copy, not two
            }
            // everything below reads or runs repository content, so all of it happens in one bounded run on the fresh
            // copy, as its migration role: the copy's history and schema are the tier's until the migrations run
            try (MigrationSession session = backend.openRun(repo, ciDb, limits(repo, settings, tierDb))) {
                List<FlywayRunner.Applied> onTier = FlywayRunner.history(session.connection());
                List<FlywayRunner.Problem> problems = onTier.isEmpty()
                        ? List.of()
                        : FlywayRunner.validate(session.connection(), judged(head, settings));
                judge(head, base, settings, tierDb, onTier, problems, policy, refusals, warnings);
                collidingPrs.addAll(collisions(repo, pr, baseTier, tierDb, added, refusals));
                boolean outOfReach = refusals.stream().anyMatch(r -> r.rule().equals(Rule.SQL_CLUSTER_STATEMENT.id()));
                // most pushes to a PR touch no migration: when the tier has applied every one of the head's (and no
                // rule
                // objects), Flyway would apply nothing to the fresh copy and the copy is the tier, so neither is asked;
                // a statement outside a migration's reach is refused before anything runs
                if (!outOfReach && (!refusals.isEmpty() || !allApplied(head, onTier, settings))) {
                    SchemaSnapshot before = SchemaCatalog.read(session.connection());
                    backend.createExtensions(repo, ciDb, settings.extensions());
                    run = FlywayRunner.migrate(session.connection(), judged(head, settings));
                    stop = session.stopped();
                    if (stop.isEmpty()) {
                        SchemaSnapshot after = SchemaCatalog.read(session.connection());
                        diff = SchemaDiff.between(before, after);
                        schemaBefore = before;
                        schemaAfter = after;
                    }
                }
                stop = session.stopped();
            }
            if (stop.filter(RunStop.SIZE::equals).isPresent()) {
                backend.delete(repo, ciDb); // over its bound: dropped now, made afresh for the next head
            } else if (!run.migrations().isEmpty()) {
                access.afterRun(repo, policy, ciDb); // CI's login reads and writes what the PR's migrations made
            }
        }
        if (schemaBefore != null && masked.masksDataOf(policy, baseTier)) {
            unruled.judge(repo, pr, policy, head, base, schemaBefore, schemaAfter, refusals, warnings);
        }
        boolean blocking =
                refusals.stream().anyMatch(r -> !r.rule().equals(NOT_FLYWAY)) || !run.ok() || stop.isPresent();
        String rule = stop.isPresent()
                ? stopRule(stop.get())
                : !run.ok()
                        ? REHEARSAL_FAILED
                        : refusals.stream()
                                .filter(r -> !r.rule().equals(NOT_FLYWAY))
                                .map(Refusal::rule)
                                .findFirst()
                                .orElse(Rule.MIGRATION_OK.id());
        String description = stop.isPresent()
                ? ciDb + ": " + stopped(stop.get(), settings)
                : blocking
                        ? summary(run, refusals, head)
                        : added.isEmpty()
                                ? "No new migrations; the schema is unchanged"
                                : added.size() + " migration(s) rehearsed on a copy of " + baseTier.name()
                                        + ": all applied";
        CommitStatus wanted = new CommitStatus(
                CONTEXT,
                blocking ? StatusState.FAILURE : StatusState.SUCCESS,
                blocking ? GateStatus.failure(rule, description).description() : description,
                pages.branch(repo, "pull/" + pr.number()));
        if (statuses.publish(
                        repo, pr.headSha(), wanted, checks.shown(CONTEXT), "pull/" + pr.number(), Map.of("rule", rule))
                && blocking) {
            audit.append(
                    AuditKind.REFUSAL,
                    repo,
                    "pull/" + pr.number(),
                    Map.of("rule", rule, "message", description, "sha", pr.headSha()));
        }
        RehearsalEvidence evidence = Evidence.of(
                pr,
                blocking
                        ? RehearsalEvidence.Outcome.FAILED
                        : runnable(settings) ? RehearsalEvidence.Outcome.PASSED : RehearsalEvidence.Outcome.SKIPPED,
                run,
                head,
                added,
                settings,
                refusals,
                warnings);
        List<ApprovalRouting.Demand> demands = reviewsAsked(repo, pr, policy, baseTier, evidence);
        // a PR that touches no migration and breaks no rule gets no comment (an earlier one is still kept up to date)
        boolean worthSaying =
                blocking || !added.isEmpty() || !warnings.isEmpty() || !diff.isEmpty() || !demands.isEmpty();
        forge.upsertComment(
                repo,
                pr.number(),
                MARKER,
                RehearsalComment.render(ciDb, baseTier.name(), run, head, refusals, warnings, diff, blocking)
                        + RehearsalComment.reviews(demands),
                worthSaying);
        store.saveRehearsal(
                repo,
                new MigrationStore.Rehearsal(
                        pr.number(),
                        pr.headSha(),
                        pr.baseSha(),
                        tierDb,
                        !blocking,
                        rule,
                        added,
                        run.ok() ? null : failure(run)),
                evidence);
        audit.append(
                AuditKind.REHEARSAL,
                repo,
                "pull/" + pr.number(),
                Map.of(
                        "sha",
                        pr.headSha(),
                        "ok",
                        !blocking,
                        "rule",
                        rule,
                        "migrations",
                        versions(run, MigrationRun.Outcome.APPLIED)));
        return collidingPrs;
    }

    /**
     * The approval rules this head matches, for the comment (the verdict weighs them again with the reviews). The
     * files the PR touches are read only under a rule on files.
     */
    private List<ApprovalRouting.Demand> reviewsAsked(
            RepoRef repo, PullRequestFacts pr, Policy policy, Tier baseTier, RehearsalEvidence evidence) {
        if (policy.approvalRules().isEmpty()) {
            return List.of();
        }
        boolean onFiles = policy.approvalRules().stream()
                .anyMatch(r -> r.judges(baseTier.name()) && !r.when().files().isEmpty());
        return ApprovalRouting.demands(
                policy,
                baseTier.name(),
                Optional.of(evidence),
                onFiles ? changes.of(repo, pr.baseSha(), pr.headSha()).touched() : List.of(),
                policy.actorFor(pr.author().login(), pr.author().bot()).actorClass());
    }

    /**
     * The migration rules over the PR's files (the hooks' rules and what the tier's history says), with the policy's
     * severities as in the hooks: a rule set to warning is shown in the comment, and does not block.
     */
    private void judge(
            List<MigrationFile> head,
            List<MigrationFile> base,
            MigrationSettings settings,
            String tierDb,
            List<FlywayRunner.Applied> onTier,
            List<FlywayRunner.Problem> problems,
            Policy policy,
            List<Refusal> refusals,
            List<Refusal> warnings) {
        Verdict checked =
                new Verdict(rules.of(head, base, settings, tierDb, onTier, problems)).withSeverities(policy.severity());
        refusals.addAll(checked.refusals());
        warnings.addAll(checked.warnings());
    }

    /**
     * Open PRs into the same tier that add one of {@code added}: each is a refusal here, and those whose last
     * rehearsal passed (not told yet) are returned to be rehearsed again.
     */
    private List<Long> collisions(
            RepoRef repo,
            PullRequestFacts pr,
            Tier baseTier,
            String tierDb,
            List<String> added,
            List<Refusal> refusals) {
        List<Long> colliding = new ArrayList<>();
        for (MigrationStore.Rehearsal other : store.rehearsalsInto(repo, tierDb, pr.number())) {
            for (String v : added) {
                if (other.versions().contains(v)) {
                    if (other.ok()) {
                        colliding.add(other.pr()); // not yet told: its last rehearsal passed
                    }
                    refusals.add(new Refusal(
                            VERSION_TAKEN,
                            "PR #" + pr.number(),
                            "version " + v + " is also added by PR #" + other.pr() + " into " + baseTier.name(),
                            "give one of the two migrations a newer version (rename the file)"));
                }
            }
        }
        return colliding;
    }

    /** A run's bounds on a branch of {@code tierDb}: the policy's deadline, and a size from the tier's own. */
    private RunLimits limits(RepoRef repo, MigrationSettings settings, String tierDb) {
        long tierBytes = backend.size(repo, tierDb).orElse(0L);
        return new RunLimits(settings.runDeadline(), settings.branchSizeLimitBytes(tierBytes));
    }

    /**
     * Only what the rules judged runs: the files named as the policy's naming says. Anything else in the folder
     * (a {@code beforeMigrate.sql} callback, a stray script) is the naming rule's to refuse, and Flyway never sees it.
     */
    static List<MigrationFile> judged(List<MigrationFile> files, MigrationSettings settings) {
        return files.stream()
                .filter(f ->
                        MigrationName.parse(f.fileName(), settings.naming()).isPresent())
                .toList();
    }

    private static String stopRule(RunStop stop) {
        return (stop == RunStop.DEADLINE ? Rule.MIGRATION_DEADLINE_EXCEEDED : Rule.MIGRATION_BRANCH_TOO_LARGE).id();
    }

    /** What the watchdog did, in words, with the bound and where it comes from. */
    static String stopped(RunStop stop, MigrationSettings settings) {
        return stop == RunStop.DEADLINE
                ? "the run passed its deadline of " + settings.runMinutesText()
                        + " (migrations.run_minutes) and was stopped"
                : "the database grew past its size bound ("
                        + (settings.branchSizeLimitMb() != null
                                ? settings.branchSizeLimitMb() + " MB, migrations.branch_size_limit_mb"
                                : "twice its tier plus 1 GiB")
                        + ") and was stopped and dropped";
    }

    /**
     * A PR into a masked tier whose masked copy cannot be had is not rehearsed (no copy of the tier is handed out):
     * {@code tiergate/migrations} fails with masking.failed, naming the rule and column, until the masking is fixed.
     */
    private void noMaskedCopy(
            RepoRef repo, PullRequestFacts pr, Tier baseTier, CommitChecks checks, MaskedCopies.Unavailable u) {
        GateStatus status = GateStatus.failure(
                Rule.MASKING_FAILED.id(), "No masked copy of " + baseTier.name() + " to rehearse on: " + u.failure());
        if (statuses.publish(
                repo,
                pr.headSha(),
                new CommitStatus(
                        CONTEXT, StatusState.FAILURE, status.description(), pages.branch(repo, "pull/" + pr.number())),
                checks.shown(CONTEXT),
                "pull/" + pr.number(),
                Map.of("rule", Rule.MASKING_FAILED.id()))) {
            audit.append(
                    AuditKind.REFUSAL,
                    repo,
                    "pull/" + pr.number(),
                    Map.of("rule", Rule.MASKING_FAILED.id(), "message", u.getMessage(), "sha", pr.headSha()));
        }
    }

    /** Why a run failed: the watchdog's stop, else the migration PostgreSQL refused. */
    static String failure(MigrationRun run, Optional<RunStop> stop, MigrationSettings settings) {
        return stop.map(s -> stopped(s, settings)).orElseGet(() -> failure(run));
    }

    /**
     * A merge queue's group (GitHub {@code merge_group}): its head, which holds this PR and everything ahead of it in
     * the queue, is rehearsed on a fresh copy of the tier as it is now ({@code ci-mq-<N>}, dropped afterwards), and
     * {@code tiergate/migrations} is posted on the group's head: what merges has run on the tier as it is.
     */
    void rehearseMergeGroup(RepoRef repo, long pr, Policy policy, Tier baseTier, String groupSha, String tierHeadSha) {
        MigrationSettings settings = policy.migrations();
        if (!runnable(settings)) {
            return;
        }
        String tierDb = DbBranchName.of(baseTier.name());
        String forkDb = "ci-mq-" + pr;
        List<MigrationFile> group = source.at(repo, groupSha, settings);
        List<MigrationFile> tierFiles = tierHeadSha == null ? List.of() : source.at(repo, tierHeadSha, settings);
        List<Refusal> refusals = new ArrayList<>();
        MigrationRun run = MigrationRun.nothing();
        Optional<RunStop> stop;
        backend.reset(repo, forkDb, masked.copyFrom(repo, policy, tierDb));
        try (MigrationSession session = backend.openRun(repo, forkDb, limits(repo, settings, tierDb))) {
            List<FlywayRunner.Applied> onTier = FlywayRunner.history(session.connection());
            List<FlywayRunner.Problem> problems =
                    onTier.isEmpty() ? List.of() : FlywayRunner.validate(session.connection(), judged(group, settings));
            judge(group, tierFiles, settings, tierDb, onTier, problems, policy, refusals, new ArrayList<>());
            if (refusals.stream().noneMatch(r -> r.rule().equals(Rule.SQL_CLUSTER_STATEMENT.id()))) {
                backend.createExtensions(repo, forkDb, settings.extensions());
                run = FlywayRunner.migrate(session.connection(), judged(group, settings));
            }
            stop = session.stopped();
        } finally {
            backend.delete(repo, forkDb);
        }
        boolean blocking = !refusals.isEmpty() || !run.ok() || stop.isPresent();
        String rule = stop.isPresent()
                ? stopRule(stop.get())
                : !run.ok()
                        ? REHEARSAL_FAILED
                        : refusals.stream().map(Refusal::rule).findFirst().orElse(Rule.MIGRATION_OK.id());
        String description = blocking
                ? GateStatus.failure(
                                rule, stop.isPresent() ? stopped(stop.get(), settings) : summary(run, refusals, group))
                        .description()
                : "Merge group of PR #" + pr + " rehearsed on a copy of " + baseTier.name() + ": all applied";
        statuses.publish(
                repo,
                groupSha,
                new CommitStatus(
                        CONTEXT,
                        blocking ? StatusState.FAILURE : StatusState.SUCCESS,
                        description,
                        pages.branch(repo, "pull/" + pr)),
                forge.checks(repo, groupSha).shown(CONTEXT),
                "merge_group",
                Map.of("pr", pr, "rule", rule));
        audit.append(
                AuditKind.REHEARSAL,
                repo,
                "merge_group",
                Map.of(
                        "sha",
                        groupSha,
                        "pr",
                        pr,
                        "ok",
                        !blocking,
                        "rule",
                        rule,
                        "migrations",
                        versions(run, MigrationRun.Outcome.APPLIED)));
    }

    /** A rehearsal that waits for a retry: {@code tiergate/migrations} on {@code sha} says on what, and until when. */
    void waiting(RepoRef repo, long pr, String sha, GateStatus status) {
        statuses.publish(
                repo,
                sha,
                new CommitStatus(CONTEXT, StatusState.PENDING, status.description(), pages.branch(repo, "pull/" + pr)),
                forge.checks(repo, sha).shown(CONTEXT),
                "pull/" + pr,
                Map.of("rule", status.rule()));
    }

    void forget(RepoRef repo, long pr) {
        store.forgetRehearsal(repo, pr);
    }

    /**
     * A merge was seen: what became of its migrations is asked by agents ({@code tiergate wait --until migrated}), so
     * it is kept from now on; {@code migrates}: the plan migrates the base tier (else nothing is to be applied).
     */
    void mergeSeen(RepoRef repo, PullRequestFacts pr, String baseTier, boolean migrates) {
        store.merged(repo, pr.number(), pr.headBranch(), pr.headSha(), baseTier);
        if (!migrates) {
            store.mergeMigrated(repo, pr.number(), MigrationStore.MergeOutcome.NOTHING, null);
        }
    }

    /**
     * A merge into a tier: its pending migrations run on the tier after a snapshot {@code <tier>-backup-pr<N>}; a
     * failure restores the snapshot and holds the tier until someone acts.
     */
    void applyMerge(RepoRef repo, PullRequestFacts pr, Policy policy, Tier baseTier) {
        store.merged(repo, pr.number(), pr.headBranch(), pr.headSha(), DbBranchName.of(baseTier.name()));
        String outcome = applyMergeRun(repo, pr, policy, baseTier);
        if (outcome != null) {
            // no detail: a failure's text may quote rows; the held tier keeps it, behind the dashboard's sign-in
            store.mergeMigrated(repo, pr.number(), outcome, null);
        }
    }

    /** The merge's run on its tier; what became of it (a {@link MigrationStore.MergeOutcome} word), null: unknown. */
    private String applyMergeRun(RepoRef repo, PullRequestFacts pr, Policy policy, Tier baseTier) {
        if (!runnable(policy.migrations())) {
            return MigrationStore.MergeOutcome.NOTHING;
        }
        String tierDb = DbBranchName.of(baseTier.name());
        Optional<String> merged = forge.branchHead(repo, pr.baseBranch());
        if (merged.isEmpty()) {
            return null;
        }
        List<MigrationFile> files = judged(source.at(repo, merged.get(), policy.migrations()), policy.migrations());
        RunLimits limits = limits(repo, policy.migrations(), tierDb);
        String newestApplied;
        try (MigrationSession session = backend.openRun(repo, tierDb, limits)) {
            newestApplied = FlywayRunner.history(session.connection()).stream()
                    .map(FlywayRunner.Applied::version)
                    .max(String::compareTo)
                    .orElse("");
        }
        boolean pending = files.stream()
                .anyMatch(f -> MigrationName.parse(
                                f.fileName(), policy.migrations().naming())
                        .map(n -> n.version().compareTo(newestApplied) > 0)
                        .orElse(false));
        if (!pending) {
            return MigrationStore.MergeOutcome.NOTHING;
        }
        if (baseTier.holdsOnDrift()) {
            // the pre-apply check: a tier that drifted is not migrated; it is held with why, until the drift is
            // accepted or fixed and the tier released
            List<DriftFinding> drifted = drift.check(repo, policy, baseTier);
            if (!drifted.isEmpty()) {
                String why = "drifted from its migrations before PR #" + pr.number() + " could migrate it: "
                        + drifted.get(0).render() + (drifted.size() > 1 ? " (+" + (drifted.size() - 1) + " more)" : "");
                store.hold(repo, tierDb, pr.number(), why, null); // the dashboard's, behind its sign-in
                audit.append(
                        AuditKind.REFUSAL,
                        repo,
                        baseTier.branch(),
                        Map.of(
                                "rule",
                                Rule.MIGRATION_TIER_DRIFTED.id(),
                                "message",
                                "tier " + baseTier.name() + " drifted ("
                                        + DriftCheck.inWords(drifted).orElse("")
                                        + ") before PR #" + pr.number() + " could migrate it; tiergate drift --tier "
                                        + baseTier.name(),
                                "sha",
                                pr.headSha()));
                return MigrationStore.MergeOutcome.HELD;
            }
        }
        String release = "pr" + pr.number();
        String snapshot = tierDb + "-backup-" + release;
        backend.snapshot(repo, tierDb, snapshot);
        store.snapshotTaken(repo, tierDb, release, snapshot);
        MigrationRun run;
        Optional<RunStop> stop;
        try (MigrationSession session = backend.openRun(repo, tierDb, limits)) {
            backend.createExtensions(repo, tierDb, policy.migrations().extensions());
            run = FlywayRunner.migrate(session.connection(), files);
            stop = session.stopped();
        }
        String subject = baseTier.branch();
        if (run.ok() && stop.isEmpty()) {
            // the move first: the tier's copies come from its template, and a retried run finds nothing pending
            backend.tierMoved(repo, tierDb);
            audit.append(
                    AuditKind.TIER_MIGRATE,
                    repo,
                    subject,
                    Map.of(
                            "tier",
                            baseTier.name(),
                            "pr",
                            pr.number(),
                            "sha",
                            merged.get(),
                            "applied",
                            versions(run, MigrationRun.Outcome.APPLIED),
                            "snapshot",
                            snapshot));
            access.afterTierMoved(repo, policy, baseTier);
            masked.sourceMoved(repo, policy, baseTier); // the copies others get follow the tier's new schema
            return MigrationStore.MergeOutcome.APPLIED;
        }
        String failed = "PR #" + pr.number() + " merged but its migration failed on " + baseTier.name() + ": "
                + failure(run, stop, policy.migrations());
        // held before the restore: a restore cut short (it drops the tier, then copies the snapshot) leaves it held,
        // with the snapshot named, and nothing sets the tier up again over it
        store.hold(
                repo,
                tierDb,
                pr.number(),
                failed + "; restoring the tier from " + snapshot + " did not finish",
                snapshot);
        backend.restore(repo, tierDb, snapshot);
        String reason = failed + "; the tier was restored from " + snapshot;
        store.hold(repo, tierDb, pr.number(), reason, snapshot); // the dashboard's: the whole text
        audit.append(
                AuditKind.VIOLATION,
                repo,
                subject,
                Map.of(
                        "rule",
                        Rule.MIGRATION_TIER_MIGRATE_FAILED.id(),
                        "message",
                        "PR #" + pr.number()
                                + " merged but its migration failed on " + baseTier.name() + ": "
                                + published(run, stop, policy.migrations(), files)
                                + "; the tier was restored from " + snapshot,
                        "pr",
                        pr.number(),
                        "sha",
                        merged.get()));
        statuses.publish(
                repo,
                pr.headSha(),
                new CommitStatus(
                        CONTEXT,
                        StatusState.FAILURE,
                        "Merged, but the migration failed on " + baseTier.name()
                                + " and the tier was restored [migration.tier-migrate-failed]",
                        pages.branch(repo, subject)),
                Optional.empty(),
                "pull/" + pr.number(),
                Map.of("rule", Rule.MIGRATION_TIER_MIGRATE_FAILED.id()));
        return MigrationStore.MergeOutcome.FAILED;
    }

    private static List<String> addedVersions(
            List<MigrationFile> head, List<MigrationFile> base, MigrationSettings settings) {
        Set<String> basePaths = new HashSet<>();
        base.forEach(f -> basePaths.add(f.path()));
        List<String> out = new ArrayList<>();
        for (MigrationFile f : head) {
            if (!basePaths.contains(f.path())) {
                MigrationName.parse(f.fileName(), settings.naming()).ifPresent(n -> out.add(n.version()));
            }
        }
        return out;
    }

    private static String summary(MigrationRun run, List<Refusal> refusals, List<MigrationFile> files) {
        if (!run.ok()) {
            return published(run, Optional.empty(), null, files);
        }
        Refusal r = refusals.stream()
                .filter(x -> !x.rule().equals(NOT_FLYWAY))
                .findFirst()
                .orElseThrow();
        return r.where() + ": " + r.message() + (refusals.size() > 1 ? " (+" + (refusals.size() - 1) + " more)" : "");
    }

    /**
     * The failure as it may be published (statuses, PR comments, the audit trail): the watchdog's stop, else the
     * failed migration's file and line, SQLSTATE and PostgreSQL's words reduced to those the PR's files show
     * ({@link dev.tiergate.core.publish.PublishedError}). Never Flyway's or PostgreSQL's whole text.
     */
    static String published(
            MigrationRun run, Optional<RunStop> stop, MigrationSettings settings, List<MigrationFile> files) {
        if (stop.isPresent()) {
            return stopped(stop.get(), settings);
        }
        return run.publishedFailure(run.words(files)).map(PublishedError::text).orElse("");
    }

    /** The whole failure, for the store and the dashboard only: PostgreSQL's message may hold row data. */
    static String failure(MigrationRun run) {
        return run.migrations().stream()
                .filter(m -> m.outcome() == MigrationRun.Outcome.FAILED)
                .findFirst()
                .map(m -> m.file() + ":" + m.errorLine() + ": " + m.error())
                .orElse(String.valueOf(run.error()));
    }

    private static String versions(MigrationRun run, MigrationRun.Outcome outcome) {
        return String.join(
                ",",
                run.migrations().stream()
                        .filter(m -> m.outcome() == outcome)
                        .map(MigrationRun.Migration::version)
                        .toList());
    }
}

package dev.tiergate.server.backend.neon;

import dev.tiergate.core.access.AccessSnapshot;
import dev.tiergate.core.access.Privilege;
import dev.tiergate.core.policy.DatabaseAccess;
import dev.tiergate.core.policy.Masking;
import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.backend.OwnerAccess;
import dev.tiergate.server.backend.Sleeper;
import dev.tiergate.server.repo.RepoRef;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Database branches as Neon branches: copy-on-write, made in about a second whatever the size. One Neon project
 * holds the tiers of one repository (the repository does not appear in Neon's names). The production tier is the
 * project's default branch, adopted under its tiergate name, never created or deleted; other tiers are branches of
 * their parent tier marked {@code protected}; working, {@code ci-pr-N} and snapshot branches carry {@code expires_at}
 * so a branch tiergate forgets still goes away. Every branch, endpoint and connection URI Neon hands back is checked
 * to be the one asked for (id, parent, name, host) before it is used: a "new" branch that is really its parent is
 * refused, so a migration never runs on the parent.
 *
 * <p>The policy's database access ({@link #credential}, {@link #applyAccess}, {@link #accessSnapshot}, {@link #revoke})
 * is SQL run as the branch's owner role ({@code neondb_owner}, from the connection URI), through {@link OwnerAccess}:
 * Neon's role API is not used, because a role it makes is a member of {@code neon_superuser} (which reads and writes
 * every table, creates roles and databases, and bypasses row-level security: https://neon.com/docs/manage/roles, "The
 * neon_superuser role"; https://github.com/neondatabase/neon/issues/12926), membership the owner cannot take away,
 * and because creating a role or resetting its password through the API drops every connection to the branch's compute
 * (https://neon.com/docs/reference/api/branches/create-project-branch-role.md,
 * https://neon.com/docs/reference/api/branches/reset-project-branch-role-password), a running migration's included.
 * Roles made with SQL hold only what they are granted and take {@code VALID UNTIL} (Neon documents
 * {@code CREATE ROLE … WITH LOGIN PASSWORD} with a password of at least 60 bits of entropy, given in plain text: "Manage
 * roles with SQL"). Neon keeps roles per branch and a new branch copies its parent's, passwords included
 * ("roles in the parent branch are duplicated in the child branch"; https://neon.com/faqs/reset-database-password:
 * a reset on the parent leaves the children's passwords as they were), so after each create the parent's logins lose
 * their reach on the child, and after a restore every earlier login does.
 */
public final class NeonBranchBackend implements BranchBackend {
    /**
     * Neon's own roles: its administrative role and the names it protects or runs as
     * (https://neon.com/docs/manage/roles, "Protected role names"; {@code neon_service}: the roles page, "Neon runs
     * internal roles such as neon_service", https://github.com/neondatabase/website/pull/5846).
     */
    static final Set<String> NEON_ROLES = Set.of("neon_superuser", "cloud_admin", "zenith_admin", "neon_service");

    private final NeonSettings settings;
    private final NeonApi api;
    private final NeonOperations operations;
    private final Clock clock;
    private final Map<String, BranchConnection> connections = new ConcurrentHashMap<>();
    private final OwnerAccess access = new OwnerAccess("Neon", NEON_ROLES::contains);
    private volatile String rootTier;

    public NeonBranchBackend(NeonSettings settings) {
        this(settings, Sleeper.REAL, Clock.systemUTC());
    }

    public NeonBranchBackend(NeonSettings settings, Sleeper sleeper, Clock clock) {
        this.settings = settings;
        this.api = new NeonApi(settings, sleeper);
        this.operations = new NeonOperations(api, sleeper, settings.pollInterval(), settings.operationTimeout());
        this.clock = clock;
        this.rootTier = settings.rootTier();
    }

    @Override
    public String id() {
        return "neon";
    }

    /** Only the project's default branch is a root: a branch always has a parent here. */
    @Override
    public boolean makesEmptyDatabases() {
        return false;
    }

    /** HTTP requests sent to Neon so far (BENCHMARKS.md counts them). */
    public long apiCalls() {
        return api.calls();
    }

    @Override
    public void create(RepoRef repo, String name, String parent) {
        createBranch(name, parent, false, true);
    }

    /** The root tier adopts the project's default branch; any other tier is a protected branch of its parent. */
    @Override
    public void createTier(RepoRef repo, String name, String parent) {
        if (parent == null) {
            boolean hasDefault = api.branches().stream().anyMatch(NeonBranch::defaultBranch);
            if (!hasDefault) {
                throw new BackendException(
                        "cannot adopt Neon project " + settings.projectId() + "'s default branch as tier '" + name
                                + "': the project has no default branch",
                        null);
            }
            rootTier = name;
            return;
        }
        createBranch(name, parent, true, true);
    }

    private void createBranch(String name, String parent, boolean tier, boolean withEndpoint) {
        if (parent == null) {
            throw new BackendException(
                    "cannot create database branch '" + name + "' without a parent: on Neon only the production tier"
                            + " is a root, and it is the project's default branch",
                    null);
        }
        Map<String, NeonBranch> branches = byName(api.branches());
        if (branches.containsKey(name)) {
            return;
        }
        NeonBranch from = branches.get(parent);
        if (from == null) {
            throw new BackendException(
                    "cannot create database branch '" + name + "': its parent '" + parent
                            + "' does not exist in Neon project " + settings.projectId(),
                    null);
        }
        String expiresAt = tier
                ? null
                : clock.instant()
                        .plus(settings.branchTtl())
                        .truncatedTo(ChronoUnit.SECONDS)
                        .toString();
        String what = "create database branch '" + name + "' from '" + parent + "'";
        NeonApi.Created made;
        try {
            made = api.createBranch(name, from.id(), expiresAt, tier, withEndpoint);
        } catch (NeonApi.Refused e) {
            if (e.status() == 409 && byName(api.branches()).containsKey(name)) {
                return; // made meanwhile by another worker: the same outcome
            }
            throw e;
        } catch (BackendException e) {
            throw removeHalfMade(name, from, e);
        }
        requireAskedFor(made, name, from);
        try {
            operations.await(made.operations(), what);
            if (withEndpoint) {
                NeonEndpoint rw = made.endpoints().stream()
                        .filter(NeonEndpoint::readWrite)
                        .findFirst()
                        .orElse(null);
                access.forgetLogins(connectionOf(made.branch(), name, rw), name, false);
            }
        } catch (BackendException e) {
            throw removeHalfMade(name, from, e);
        }
    }

    /** Neon masks a copy itself: an anonymized branch (https://neon.com/docs/workflows/data-anonymization). */
    @Override
    public boolean masksCopies() {
        return true;
    }

    /**
     * A masked copy as a Neon anonymized branch of {@code source}'s branch, the steps of "Data anonymization API
     * reference" (https://neon.com/docs/workflows/data-anonymization-api): POST /branch_anonymized (name, parent, a
     * read-write compute; no expiry and not protected: tiers and branches are cut from it, and tiergate deletes it
     * when a newer copy replaces it); wait for its operations and for the state {@code initialized}; PATCH its
     * masking rules, naming the database the backend uses on it (its first, as {@link #connection}), and check Neon
     * kept a rule for every column; POST …/anonymize; poll GET …/anonymized_status, bounded like the operations,
     * until {@code anonymized}. On {@code error} or {@code initialization_error}, or any other failure, the branch is
     * deleted and the exception names the rule Neon's {@code status_message} is about and that message. The rules
     * are translated before any request ({@link NeonMasking}), so one Neon cannot express (shuffle) leaves nothing
     * behind. The copy's logins are then the parent's, as after any create, and lose their reach as there.
     *
     * <p>A branch of that name already there is taken only when it is a finished anonymized branch of the same
     * parent with exactly these rules (another worker made it, or this call is repeated); anything else is refused
     * rather than reused, since its data may not be masked.
     */
    @Override
    public void createMaskedCopy(RepoRef repo, String name, String source, List<Masking.Rule> rules) {
        String what = "make masked copy '" + name + "' of '" + source + "'";
        List<NeonMasking.Planned> plan = NeonMasking.plan(rules, what);
        Map<String, NeonBranch> branches = byName(api.branches());
        NeonBranch from = branches.get(source);
        if (from == null) {
            throw new BackendException(
                    "cannot " + what + ": '" + source + "' does not exist in Neon project " + settings.projectId(),
                    null);
        }
        if (branches.containsKey(name)) {
            requireMaskedCopy(branches.get(name), from, plan, what);
            return;
        }
        NeonApi.Created made;
        try {
            made = api.createAnonymizedBranch(name, from.id());
        } catch (NeonApi.Refused e) {
            NeonBranch meanwhile = e.status() == 409 ? byName(api.branches()).get(name) : null;
            if (meanwhile == null) {
                throw e;
            }
            requireMaskedCopy(meanwhile, from, plan, what); // made meanwhile by another worker
            return;
        } catch (BackendException e) {
            throw removeHalfMade(name, from, e);
        }
        requireAskedFor(made, name, from);
        String id = made.branch().id();
        try {
            operations.await(made.operations(), what);
            NeonApi.AnonymizedStatus init = operations.awaitAnonymization(id, "initialized", null, what);
            if (init.failed()) {
                throw new BackendException(
                        "cannot " + what + ": Neon could not initialize anonymized branch " + made.branch() + " ("
                                + init.state() + ": " + init.statusMessage()
                                + "); no masking rule was applied and the branch is deleted",
                        null);
            }
            List<NeonMaskingRule> wanted = rulesOn(id, name, plan);
            List<NeonMaskingRule> kept = api.updateMaskingRules(id, wanted);
            List<String> dropped = wanted.stream()
                    .filter(w -> kept.stream().noneMatch(k -> k.column().equals(w.column())))
                    .map(NeonMaskingRule::column)
                    .toList();
            if (!dropped.isEmpty()) {
                throw new BackendException(
                        "cannot " + what + ": Neon's answer to the masking rules of " + made.branch()
                                + " has no rule for " + dropped + "; the branch is deleted unmasked",
                        null);
            }
            NeonApi.AnonymizedStatus done =
                    operations.awaitAnonymization(id, "anonymized", api.startAnonymization(id), what);
            if (done.failed()) {
                throw new BackendException(failure(what, rules, plan, done), null);
            }
            NeonEndpoint rw = made.endpoints().stream()
                    .filter(NeonEndpoint::readWrite)
                    .findFirst()
                    .orElse(null);
            access.forgetLogins(connectionOf(made.branch(), name, rw), name, false);
        } catch (BackendException e) {
            connections.remove(id);
            throw removeHalfMade(name, from, e);
        }
    }

    /** The planned rules on the database the backend uses on branch {@code id} (its first, as for connections). */
    private List<NeonMaskingRule> rulesOn(String id, String name, List<NeonMasking.Planned> plan) {
        List<String[]> dbs = api.databases(id);
        if (dbs.isEmpty()) {
            throw new BackendException("masked copy '" + name + "' (Neon branch " + id + ") has no database", null);
        }
        return plan.stream().map(p -> p.on(dbs.get(0)[0])).toList();
    }

    /** Why anonymization failed: the rule Neon's message is about (or every rule, when it names none) and the message. */
    private static String failure(
            String what, List<Masking.Rule> rules, List<NeonMasking.Planned> plan, NeonApi.AnonymizedStatus s) {
        Masking.Rule culprit = NeonMasking.culprit(rules, s.statusMessage());
        String at;
        if (culprit == null) {
            at = "Neon's message names none of the rules "
                    + rules.stream().map(NeonMasking::name).toList();
        } else {
            NeonMasking.Planned p = plan.get(rules.indexOf(culprit));
            at = "rule " + NeonMasking.name(culprit) + " (" + culprit.method() + " as "
                    + (p.function() != null ? p.function() : "the value " + p.value()) + ") failed";
        }
        return "cannot " + what + ": Neon's anonymization ended in " + s.state() + ": " + at + ": "
                + (s.statusMessage() == null ? "(no status_message)" : s.statusMessage())
                + "; the branch is deleted";
    }

    /** An existing branch named as the copy is taken only as a finished anonymized branch of {@code from} with these rules. */
    private void requireMaskedCopy(NeonBranch b, NeonBranch from, List<NeonMasking.Planned> plan, String what) {
        String refused = "cannot " + what + ": a branch of that name exists, " + b;
        if (!from.id().equals(b.parentId())) {
            throw new BackendException(refused + ", not cut from " + from + "; delete it first", null);
        }
        NeonApi.AnonymizedStatus s = api.anonymizedStatus(b.id())
                .orElseThrow(() ->
                        new BackendException(refused + ", and it is no anonymized branch; delete it first", null));
        if (!"anonymized".equals(s.state())) {
            throw new BackendException(
                    refused + ", an anonymized branch in the state " + s.state()
                            + " (not anonymized); it is not used: delete it first",
                    null);
        }
        List<NeonMaskingRule> wanted = rulesOn(b.id(), b.name(), plan);
        if (!Set.copyOf(api.maskingRules(b.id())).equals(Set.copyOf(wanted))) {
            throw new BackendException(
                    refused + ", anonymized with other masking rules than the policy's; delete it first", null);
        }
    }

    /** Refuses (deleting it) a created branch that is not the one asked for: nothing is run on it. */
    private void requireAskedFor(NeonApi.Created made, String name, NeonBranch parent) {
        String wrong = wrongBranch(made, name, parent);
        if (wrong != null) {
            throw removeHalfMade(
                    name,
                    parent,
                    new BackendException(
                            "refused the branch Neon handed back: " + wrong + "; nothing was run on it", null));
        }
    }

    /** Why the answer to a create is not the branch asked for, or null when it is. */
    private static String wrongBranch(NeonApi.Created made, String name, NeonBranch parent) {
        NeonBranch b = made.branch();
        String asked = "asked for '" + name + "' cut from " + parent;
        if (b.id() == null
                || b.id().equals(parent.id())
                || !name.equals(b.name())
                || !parent.id().equals(b.parentId())) {
            return asked + ", got " + b + (parent.id().equals(b.id()) ? ", which is the parent itself" : "");
        }
        for (NeonEndpoint e : made.endpoints()) {
            if (!b.id().equals(e.branchId())) {
                return asked + ", got branch " + b + " with endpoint " + e.id() + " of branch " + e.branchId();
            }
        }
        return null;
    }

    /** After a failed create: deletes the branch of that name cut from {@code parent}, if one was made, and returns {@code cause}. */
    private BackendException removeHalfMade(String name, NeonBranch parent, BackendException cause) {
        try {
            for (NeonBranch b : api.branches()) {
                if (name.equals(b.name())
                        && parent.id().equals(b.parentId())
                        && !b.id().equals(parent.id())
                        && !b.protectedBranch()
                        && !b.defaultBranch()) {
                    operations.await(api.deleteBranch(b.id()), "remove the half-made branch '" + name + "'");
                }
            }
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
        return cause;
    }

    @Override
    public void delete(RepoRef repo, String name) {
        List<NeonBranch> all = api.branches();
        NeonBranch b = byName(all).get(name);
        if (b == null) {
            return;
        }
        if (b.defaultBranch() || b.protectedBranch()) {
            throw new BackendException(
                    "refused to delete database branch '" + name + "': Neon branch " + b + " is a protected tier"
                            + (b.defaultBranch() ? " (the project's default branch)" : "")
                            + "; tiergate never deletes a tier",
                    null);
        }
        List<String> children = new ArrayList<>();
        all.stream().filter(c -> b.id().equals(c.parentId())).forEach(c -> children.add(tiergateName(c)));
        if (!children.isEmpty()) {
            throw new BackendException(
                    "refused to delete database branch '" + name + "': its children " + children
                            + " were cut from it; delete them first",
                    null);
        }
        operations.await(api.deleteBranch(b.id()), "delete database branch '" + name + "'");
        connections.remove(b.id());
    }

    @Override
    public boolean exists(RepoRef repo, String name) {
        return byName(api.branches()).containsKey(name);
    }

    @Override
    public List<String> list(RepoRef repo) {
        return byName(api.branches()).keySet().stream().sorted().toList();
    }

    @Override
    public BranchConnection connection(RepoRef repo, String name) {
        NeonBranch b = byName(api.branches()).get(name);
        if (b == null) {
            throw new BackendException(
                    "no database branch '" + name + "' in Neon project " + settings.projectId(), null);
        }
        return connectionOf(b, name, null);
    }

    /** The owner's connection to branch {@code b}; {@code knownEndpoint}: its read-write endpoint when known (null: asked). */
    private BranchConnection connectionOf(NeonBranch b, String name, NeonEndpoint knownEndpoint) {
        BranchConnection known = connections.get(b.id());
        if (known != null) {
            return known;
        }
        NeonEndpoint rw = knownEndpoint != null
                ? knownEndpoint
                : api.endpoints(b.id()).stream()
                        .filter(NeonEndpoint::readWrite)
                        .findFirst()
                        .orElseThrow(() -> new BackendException(
                                "database branch '" + name + "' (Neon branch " + b.id()
                                        + ") has no read-write compute endpoint",
                                null));
        if (!b.id().equals(rw.branchId())) {
            throw new BackendException(
                    "refused the endpoint Neon handed back for '" + name + "': asked for the endpoint of " + b
                            + ", got " + rw.id() + " of branch " + rw.branchId(),
                    null);
        }
        List<String[]> dbs = api.databases(b.id());
        if (dbs.isEmpty()) {
            throw new BackendException(
                    "database branch '" + name + "' (Neon branch " + b.id() + ") has no database", null);
        }
        String uri = api.connectionUri(b.id(), dbs.get(0)[0], dbs.get(0)[1]);
        BranchConnection c = parse(uri, name);
        if (!c.host().equalsIgnoreCase(rw.host())) {
            throw new BackendException(
                    "refused the connection URI Neon handed back for '" + name + "': it names host " + c.host()
                            + ", but " + b + "'s read-write endpoint " + rw.id() + " is " + rw.host()
                            + "; another branch's database is never used",
                    null);
        }
        connections.put(b.id(), c);
        return c;
    }

    private static BranchConnection parse(String uri, String name) {
        if (uri == null) {
            throw new BackendException("Neon handed back no connection URI for '" + name + "'", null);
        }
        URI u = URI.create(uri);
        String info = u.getRawUserInfo() == null ? "" : u.getRawUserInfo();
        int colon = info.indexOf(':');
        String user = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
        String password = colon < 0 ? null : URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8);
        String db = u.getPath() == null ? "" : u.getPath().replaceFirst("^/", "");
        return new BranchConnection(u.getHost(), u.getPort() < 0 ? 5432 : u.getPort(), db, user, password);
    }

    /** A branch of the tier as it is now, expiring like a working branch (Neon keeps it copy-on-write; no compute). */
    @Override
    public void snapshot(RepoRef repo, String name, String snapshot) {
        Map<String, NeonBranch> branches = byName(api.branches());
        if (!branches.containsKey(name)) {
            throw new BackendException(
                    "cannot snapshot '" + name + "': it does not exist in Neon project " + settings.projectId(), null);
        }
        createBranch(snapshot, name, false, false);
    }

    /**
     * Neon's restore: {@code name} takes the snapshot's head in place (same branch id, same endpoint, so whatever is
     * connected to the tier stays pointed at it); its state before the restore, and its children, are kept under
     * {@code <name>-pre-restore-<epoch seconds>}, which Neon requires when the branch has children.
     */
    @Override
    public void restore(RepoRef repo, String name, String snapshot) {
        Map<String, NeonBranch> branches = byName(api.branches());
        NeonBranch target = branches.get(name);
        NeonBranch source = branches.get(snapshot);
        if (source == null) {
            throw new BackendException(
                    "cannot restore '" + name + "' from '" + snapshot + "': there is no such snapshot in Neon project "
                            + settings.projectId(),
                    null);
        }
        if (target == null) {
            throw new BackendException(
                    "cannot restore '" + name + "' from '" + snapshot + "': '" + name + "' does not exist", null);
        }
        String preserve = name + "-pre-restore-" + clock.instant().getEpochSecond();
        operations.await(
                api.restore(target.id(), source.id(), preserve), "restore '" + name + "' from '" + snapshot + "'");
        connections.remove(target.id());
        NeonBranch after = api.branch(target.id())
                .orElseThrow(() -> new BackendException(
                        "Neon lost branch " + target + " while restoring it from '" + snapshot + "'", null));
        if (!name.equals(tiergateName(after))) {
            throw new BackendException(
                    "after restoring '" + name + "' Neon names its branch " + after + "; expected " + target, null);
        }
        // the branch took the snapshot's roles, with the passwords they had then: no login from before reaches it
        access.forgetLogins(connection(repo, name), name, true);
    }

    /** An actor's own login on the branch, made with SQL as its owner: see {@link OwnerAccess}. */
    @Override
    public BranchConnection credential(RepoRef repo, String name, String actor, List<String> groups, Instant until) {
        return access.credential(connection(repo, name), name, actor, groups, until);
    }

    @Override
    public void applyAccess(RepoRef repo, String name, List<DatabaseAccess.Group> groups) {
        access.apply(connection(repo, name), name, groups);
    }

    @Override
    public AccessSnapshot accessSnapshot(RepoRef repo, String name) {
        return access.snapshot(connection(repo, name), name);
    }

    @Override
    public void revoke(RepoRef repo, String name, List<Privilege> extra) {
        if (!extra.isEmpty()) {
            access.revoke(connection(repo, name), name, extra);
        }
    }

    @Override
    public String statement(RepoRef repo, Privilege p, boolean grant) {
        return access.statement(p, grant);
    }

    /** tiergate name → branch: each branch by its name, the default branch by the production tier's name. */
    private Map<String, NeonBranch> byName(List<NeonBranch> all) {
        Map<String, NeonBranch> out = new LinkedHashMap<>();
        all.stream().filter(b -> !b.defaultBranch()).forEach(b -> out.put(b.name(), b));
        all.stream().filter(NeonBranch::defaultBranch).forEach(b -> out.put(rootTier, b));
        return out;
    }

    private String tiergateName(NeonBranch b) {
        return b.defaultBranch() ? rootTier : b.name();
    }
}

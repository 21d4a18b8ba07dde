package dev.tiergate.server.backend.lakebase;

import com.databricks.sdk.service.postgres.Database;
import com.databricks.sdk.service.postgres.DatabaseCredential;
import com.databricks.sdk.service.postgres.Endpoint;
import com.databricks.sdk.service.postgres.EndpointType;
import dev.tiergate.core.access.AccessSnapshot;
import dev.tiergate.core.access.Privilege;
import dev.tiergate.core.policy.DatabaseAccess;
import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.backend.OwnerAccess;
import dev.tiergate.server.backend.Sleeper;
import dev.tiergate.server.repo.RepoRef;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Database branches as Lakebase branches (copy-on-write, about a second at any size), through the Databricks SDK.
 * One Lakebase project holds the tiers of one repository. The production tier is the project's default branch,
 * adopted; other tiers are protected branches with {@code no_expiry}; working, {@code ci-pr-N} and snapshot
 * branches get a {@code ttl} (Lakebase requires an expiration policy on every branch). A branch's id is its tiergate
 * name. Each branch tiergate connects to gets a read-write endpoint; the password is a short-lived database
 * credential of the configured identity. Every branch and endpoint handed back is checked to be the one asked for.
 *
 * <p>Restore: the postgres API has no in-place restore of a branch from another branch (there are create, update,
 * delete and undelete; a branch's id is immutable, and a protected tier with children cannot be replaced). The
 * nearest safe thing is done: the restored state is made a new branch {@code <name>--r<N>} cut from the snapshot,
 * with the tier's protection, and tiergate's name now points at it (the highest generation wins); the previous branch
 * is kept with its children, untouched. Applications that connect to the tier's old endpoint must be pointed at the
 * new one; the log says which.
 *
 * <p>The policy's database access ({@link #credential}, {@link #applyAccess}, {@link #accessSnapshot}, {@link #revoke})
 * is SQL run as the configured identity, the project owner's role or one like it (a member of
 * {@code databricks_superuser}, with CREATEROLE: https://docs.databricks.com/aws/en/oltp/projects/manage-roles-permissions),
 * through {@link OwnerAccess}. The postgres API's roles ({@code POST /api/2.0/postgres/{branch}/roles},
 * https://docs.databricks.com/api/postgres/v1/create-role) are not used for an actor's login: a password role made
 * there gets a password Lakebase generates and the Role object never carries (nor does any other answer), and an OAuth
 * role logs in with a Databricks identity's own token, where tiergate's actors are forge accounts. Native password roles
 * made with SQL are documented ("Create Postgres roles": the UI, SQL, or the API;
 * https://docs.databricks.com/aws/en/oltp/projects/postgres-roles), hold only what they are granted (roles made in the
 * UI are granted {@code databricks_superuser}), and take a password of ours (at least 60 bits of entropy) and
 * {@code VALID UNTIL}. Roles are branch-scoped and a child inherits its parent's ("Manage roles",
 * https://docs.databricks.com/aws/en/oltp/projects/manage-roles), so after each create the parent's logins lose their
 * reach on the child, and on a restore's new generation every earlier login does.
 */
public final class LakebaseBranchBackend implements BranchBackend {
    /**
     * Lakebase's own roles: {@code databricks_superuser} and the system roles it creates, all named
     * {@code databricks_…} ({@code databricks_control_plane}, {@code databricks_monitor}, {@code databricks_writer_<oid>},
     * {@code databricks_reader_<oid>}, {@code databricks_gateway}: https://docs.databricks.com/aws/en/oltp/instances/roles).
     */
    static boolean lakebaseRole(String role) {
        return role.startsWith("databricks_");
    }

    private static final Logger LOG = LoggerFactory.getLogger(LakebaseBranchBackend.class);
    private static final Pattern GENERATION = Pattern.compile("^(.+)--r(\\d+)$");
    private static final int ID_MAX = 63;
    private final LakebaseSettings settings;
    private final LakebaseApi api;
    private final LakebaseOperations operations;
    private final Clock clock;
    private final Map<String, Held> connections = new ConcurrentHashMap<>();
    private final OwnerAccess access = new OwnerAccess("Lakebase", LakebaseBranchBackend::lakebaseRole);
    private volatile String rootTier;

    private record Held(BranchConnection connection, Instant until) {}

    public LakebaseBranchBackend(LakebaseSettings settings) {
        this(settings, Sleeper.REAL, Clock.systemUTC());
    }

    public LakebaseBranchBackend(LakebaseSettings settings, Sleeper sleeper, Clock clock) {
        this.settings = settings;
        this.api = new LakebaseApi(settings, sleeper);
        this.operations = new LakebaseOperations(api, sleeper, settings.pollInterval(), settings.operationTimeout());
        this.clock = clock;
        this.rootTier = settings.rootTier();
    }

    @Override
    public String id() {
        return "lakebase";
    }

    /** Only the project's default branch is a root: a branch always has a parent here. */
    @Override
    public boolean makesEmptyDatabases() {
        return false;
    }

    @Override
    public void create(RepoRef repo, String name, String parent) {
        createBranch(name, parent, false, true);
    }

    @Override
    public void createTier(RepoRef repo, String name, String parent) {
        if (parent == null) {
            if (api.branches().stream().noneMatch(LakebaseBranch::defaultBranch)) {
                throw new BackendException(
                        "cannot adopt Lakebase project " + settings.projectId() + "'s default branch as tier '" + name
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
                    "cannot create database branch '" + name + "' without a parent: on Lakebase only the"
                            + " production tier is a root, and it is the project's default branch",
                    null);
        }
        Map<String, LakebaseBranch> branches = byName(api.branches());
        if (branches.containsKey(name)) {
            return;
        }
        LakebaseBranch from = branches.get(parent);
        if (from == null) {
            throw new BackendException(
                    "cannot create database branch '" + name + "': its parent '" + parent
                            + "' does not exist in Lakebase project " + settings.projectId(),
                    null);
        }
        make(name, name, from, tier, withEndpoint, false);
    }

    /**
     * Creates branch {@code branchId} (tiergate's {@code name}) from {@code from}, verifies it, gives it an endpoint, and
     * takes away the reach of the logins it inherited: another branch's, or, for a restore, every one.
     */
    private void make(
            String branchId, String name, LakebaseBranch from, boolean tier, boolean withEndpoint, boolean restoring) {
        String what = "create database branch '" + name + "' from '" + from.branchId() + "'";
        String resource = settings.project() + "/branches/" + branchId;
        try {
            Optional<String> op = api.createBranch(branchId, from.name(), tier ? null : settings.branchTtl(), tier);
            if (op.isPresent()) {
                operations.await(op.get(), what);
            }
            LakebaseBranch made = api.branch(resource)
                    .orElseThrow(() -> new BackendException(
                            "cannot " + what + ": Lakebase reports it done but there is no " + resource, null));
            String wrong = wrongBranch(made, resource, from);
            if (wrong != null) {
                throw new BackendException(
                        "refused the branch Lakebase handed back: " + wrong + "; nothing was run on it", null);
            }
            if (withEndpoint) {
                Endpoint rw = ensureEndpoint(made, what);
                access.forgetLogins(connectionOf(made, name, rw), name, restoring);
            }
        } catch (BackendException e) {
            throw removeHalfMade(resource, from, e);
        }
    }

    private static String wrongBranch(LakebaseBranch b, String resource, LakebaseBranch parent) {
        if (!resource.equals(b.name())
                || b.uid() == null
                || b.uid().equals(parent.uid())
                || !parent.name().equals(b.sourceBranch())) {
            return "asked for " + resource + " cut from " + parent.name() + ", got " + b
                    + (parent.uid() != null && parent.uid().equals(b.uid())
                            ? ", which is the parent itself (uid " + b.uid() + ")"
                            : "");
        }
        return null;
    }

    private Endpoint ensureEndpoint(LakebaseBranch b, String what) {
        Optional<Endpoint> rw = readWrite(b);
        if (rw.isEmpty()) {
            api.createReadWriteEndpoint(b.name())
                    .ifPresent(op -> operations.await(op, what + " (its read-write endpoint)"));
            rw = readWrite(b);
        }
        return rw.orElseThrow(() ->
                new BackendException("cannot " + what + ": branch " + b.name() + " has no read-write endpoint", null));
    }

    private Optional<Endpoint> readWrite(LakebaseBranch b) {
        for (Endpoint e : api.endpoints(b.name())) {
            boolean rw = e.getStatus() != null
                            && e.getStatus().getEndpointType() == EndpointType.ENDPOINT_TYPE_READ_WRITE
                    || e.getSpec() != null && e.getSpec().getEndpointType() == EndpointType.ENDPOINT_TYPE_READ_WRITE;
            if (!rw) {
                continue;
            }
            String owner = e.getParent() != null
                    ? e.getParent()
                    : e.getName() == null ? null : e.getName().replaceFirst("/endpoints/[^/]+$", "");
            if (!b.name().equals(owner)) {
                throw new BackendException(
                        "refused the endpoint Lakebase handed back for " + b.name() + ": " + e.getName()
                                + " belongs to " + owner,
                        null);
            }
            return Optional.of(e);
        }
        return Optional.empty();
    }

    private BackendException removeHalfMade(String resource, LakebaseBranch parent, BackendException cause) {
        try {
            for (LakebaseBranch b : api.branches()) {
                if (resource.equals(b.name())
                        && !b.defaultBranch()
                        && (b.uid() == null || !b.uid().equals(parent.uid()))) {
                    if (b.protectedBranch()) {
                        operations.await(api.unprotect(b.name()), "unprotect the half-made " + b.name());
                    }
                    api.deleteBranch(b.name())
                            .ifPresent(op -> operations.await(op, "remove the half-made " + b.name()));
                }
            }
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
        return cause;
    }

    @Override
    public void delete(RepoRef repo, String name) {
        List<LakebaseBranch> all = api.branches();
        LakebaseBranch b = byName(all).get(name);
        if (b == null) {
            return;
        }
        if (b.defaultBranch() || b.protectedBranch()) {
            throw new BackendException(
                    "refused to delete database branch '" + name + "': Lakebase branch " + b.name()
                            + " is a protected tier" + (b.defaultBranch() ? " (the project's default branch)" : "")
                            + "; tiergate never deletes a tier",
                    null);
        }
        List<String> children = new ArrayList<>();
        all.stream().filter(c -> b.name().equals(c.sourceBranch())).forEach(c -> children.add(tiergateName(c)));
        if (!children.isEmpty()) {
            throw new BackendException(
                    "refused to delete database branch '" + name + "': its children " + children
                            + " were cut from it; delete them first",
                    null);
        }
        api.deleteBranch(b.name()).ifPresent(op -> operations.await(op, "delete database branch '" + name + "'"));
        connections.remove(b.name());
    }

    @Override
    public boolean exists(RepoRef repo, String name) {
        return byName(api.branches()).containsKey(name);
    }

    @Override
    public List<String> list(RepoRef repo) {
        return byName(api.branches()).keySet().stream().sorted().toList();
    }

    /** The branch's read-write endpoint, its database, and a short-lived credential of the configured identity. */
    @Override
    public BranchConnection connection(RepoRef repo, String name) {
        LakebaseBranch b = byName(api.branches()).get(name);
        if (b == null) {
            throw new BackendException(
                    "no database branch '" + name + "' in Lakebase project " + settings.projectId(), null);
        }
        return connectionOf(b, name, null);
    }

    /** The configured identity's connection to branch {@code b}; {@code knownEndpoint}: its read-write endpoint when known. */
    private BranchConnection connectionOf(LakebaseBranch b, String name, Endpoint knownEndpoint) {
        Held held = connections.get(b.name());
        if (held != null && clock.instant().isBefore(held.until())) {
            return held.connection();
        }
        Endpoint rw = knownEndpoint != null
                ? knownEndpoint
                : readWrite(b)
                        .orElseThrow(() -> new BackendException(
                                "database branch '" + name + "' (Lakebase branch " + b.name()
                                        + ") has no read-write endpoint",
                                null));
        String host = rw.getStatus() == null || rw.getStatus().getHosts() == null
                ? null
                : rw.getStatus().getHosts().getHost();
        if (host == null) {
            throw new BackendException(
                    "the read-write endpoint " + rw.getName() + " of '" + name + "' has no host yet", null);
        }
        String database = "databricks_postgres";
        for (Database d : api.databases(b.name())) {
            String pg = d.getStatus() != null && d.getStatus().getPostgresDatabase() != null
                    ? d.getStatus().getPostgresDatabase()
                    : d.getSpec() == null ? null : d.getSpec().getPostgresDatabase();
            if (pg != null) {
                database = pg;
                break;
            }
        }
        DatabaseCredential cred = api.credential(rw.getName());
        BranchConnection c =
                new BranchConnection(host, settings.postgresPort(), database, api.identity(), cred.getToken());
        if (cred.getExpireTime() != null) {
            // keep it until five minutes before it expires
            connections.put(
                    b.name(),
                    new Held(
                            c,
                            Instant.ofEpochSecond(cred.getExpireTime().getSeconds())
                                    .minusSeconds(300)));
        }
        return c;
    }

    /** An actor's own login on the branch, made with SQL as the configured identity: see {@link OwnerAccess}. */
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

    @Override
    public void snapshot(RepoRef repo, String name, String snapshot) {
        if (!byName(api.branches()).containsKey(name)) {
            throw new BackendException(
                    "cannot snapshot '" + name + "': it does not exist in Lakebase project " + settings.projectId(),
                    null);
        }
        createBranch(snapshot, name, false, false);
    }

    @Override
    public void restore(RepoRef repo, String name, String snapshot) {
        Map<String, LakebaseBranch> branches = byName(api.branches());
        LakebaseBranch target = branches.get(name);
        LakebaseBranch source = branches.get(snapshot);
        if (source == null) {
            throw new BackendException(
                    "cannot restore '" + name + "' from '" + snapshot
                            + "': there is no such snapshot in Lakebase project " + settings.projectId(),
                    null);
        }
        if (target == null) {
            throw new BackendException(
                    "cannot restore '" + name + "' from '" + snapshot + "': '" + name + "' does not exist", null);
        }
        String base = name.length() > ID_MAX - 6 ? name.substring(0, ID_MAX - 6) : name;
        String next = base + "--r" + (generation(target.branchId()) + 1);
        boolean tier = target.protectedBranch() || target.defaultBranch();
        make(next, name, source, tier, true, true);
        connections.remove(target.name());
        LOG.warn(
                "Lakebase has no in-place restore: '{}' is now branch {} cut from snapshot '{}'; the previous branch {} is kept,"
                        + " with its children; point applications that connect to its endpoint at the new branch's",
                name,
                settings.project() + "/branches/" + next,
                snapshot,
                target.name());
    }

    private static int generation(String branchId) {
        Matcher m = GENERATION.matcher(branchId);
        return m.matches() ? Integer.parseInt(m.group(2)) : 0;
    }

    /** tiergate name → branch: the default branch is the production tier; of {@code x} and {@code x--rN}, the highest N. */
    private Map<String, LakebaseBranch> byName(List<LakebaseBranch> all) {
        Map<String, LakebaseBranch> out = new LinkedHashMap<>();
        Map<String, Integer> gen = new LinkedHashMap<>();
        for (LakebaseBranch b : all) {
            String name = tiergateName(b);
            int g = b.defaultBranch() ? 0 : generation(b.branchId());
            Integer seen = gen.get(name);
            if (seen == null || g > seen || g == seen && b.defaultBranch()) {
                out.put(name, b);
                gen.put(name, g);
            }
        }
        return out;
    }

    private String tiergateName(LakebaseBranch b) {
        if (b.defaultBranch()) {
            return rootTier;
        }
        Matcher m = GENERATION.matcher(b.branchId());
        return m.matches() ? m.group(1) : b.branchId();
    }
}

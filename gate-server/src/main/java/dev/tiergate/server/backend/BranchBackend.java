package dev.tiergate.server.backend;

import dev.tiergate.core.access.AccessSnapshot;
import dev.tiergate.core.access.Privilege;
import dev.tiergate.core.policy.DatabaseAccess;
import dev.tiergate.core.policy.Masking;
import dev.tiergate.server.repo.RepoRef;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The seam to where database branches live: one implementation per system ({@code postgres} here; {@code neon}
 * and {@code lakebase} beside it), chosen by configuration and held as this interface everywhere. Every operation
 * is idempotent and atomic from the caller's view: after a failure no half-made branch remains. Failures throw
 * {@link BackendException}.
 *
 * <p>Names are tiergate's database branch names ({@code production}, {@code feature-f1}, {@code ci-pr-7}); a
 * backend maps them to what its system calls them.
 */
public interface BranchBackend extends AutoCloseable {
    String id();

    /** Creates {@code name} as a copy of {@code parent} as it is now (null: an empty root). No-op when it exists. */
    void create(RepoRef repo, String name, String parent);

    /**
     * Whether {@link #create} makes an empty database when given no parent. Neon and Lakebase projects have one root
     * (the production tier), so a database that must start empty (a drift pass's shadow) is there a branch of the root,
     * emptied by whoever made it.
     */
    default boolean makesEmptyDatabases() {
        return true;
    }

    /**
     * Creates a tier: a long-running, protected branch, copied from its parent tier (or adopted, for the root, where
     * the system already has one). Backends that clone from idle templates take the tier's template here.
     */
    default void createTier(RepoRef repo, String name, String parent) {
        create(repo, name, parent);
    }

    /** Deletes the branch if it exists. A protected tier, or a branch with children, is refused. */
    /**
     * Whether the backend makes a masked copy itself ({@link #createMaskedCopy}: Neon's anonymized branches); else
     * tiergate copies the tier and masks the copy in SQL, in a bounded run as the copy's migration login.
     */
    default boolean masksCopies() {
        return false;
    }

    /**
     * A masked copy {@code name} of tier {@code source}, made and masked by the backend with {@code rules}; returns
     * once the masking is done, or throws a {@link BackendException} that names the rule it could not apply (the copy
     * is then removed). Only where {@link #masksCopies()}.
     */
    default void createMaskedCopy(RepoRef repo, String name, String source, List<Masking.Rule> rules) {
        throw new BackendException("the " + id() + " backend does not mask copies itself", null);
    }

    void delete(RepoRef repo, String name);

    boolean exists(RepoRef repo, String name);

    /**
     * True while any part of the branch is still there: a delete cut short (a crash between its steps) leaves a part
     * that {@link #exists} no longer sees, so deciding whether to delete asks this. The default: {@link #exists}.
     */
    default boolean leftOver(RepoRef repo, String name) {
        return exists(repo, name);
    }

    /**
     * True when {@link #delete} takes several steps a crash can cut apart (the {@code postgres} backend: the database,
     * then its login), so the reconcile pass looks for what a delete left behind. A cloud branch is deleted by one call.
     */
    default boolean deletesInSteps() {
        return false;
    }

    /** The repository's database branches by name. */
    List<String> list(RepoRef repo);

    /**
     * The size in bytes of each of the repository's database branches the system can measure, by name (the
     * dashboard shows "unknown" for the others). The default measures none.
     */
    default Map<String, Long> sizes(RepoRef repo) {
        return Map.of();
    }

    /**
     * The size in bytes of one database branch, if the system can measure it (what a run's size bound is taken from,
     * once per run: measuring every branch of the repository for it costs a walk of each one's files).
     */
    default Optional<Long> size(RepoRef repo, String name) {
        return Optional.ofNullable(sizes(repo).get(name));
    }

    /** How to connect to a branch: the login of that branch (its own role where the system has them). */
    BranchConnection connection(RepoRef repo, String name);

    /**
     * The login repository SQL runs as on this branch (migrations, a seed, reads of its history): a role that may
     * change this branch's schema and reaches nothing else. Never an administrative login: the admin connection only
     * creates, copies and drops databases and roles. For backends without a role of their own for this, the branch's
     * {@link #connection}. Used inside a {@link MigrationSession} ({@link #openRun}), which bounds the run.
     */
    default BranchConnection migrationConnection(RepoRef repo, String name) {
        return connection(repo, name);
    }

    /**
     * An actor's own login on the branch: a member of {@code groups} (the repository's group roles, see
     * {@link #applyAccess}) and of nothing else, reaching this branch's database only, valid until {@code until} (null:
     * for as long as the branch lives). Each call gives a new password; the one before stops working. The password is
     * in the returned connection only: tiergate never stores or logs it. A backend that cannot make per-actor logins
     * refuses ({@link BackendException}).
     */
    default BranchConnection credential(RepoRef repo, String name, String actor, List<String> groups, Instant until) {
        throw new BackendException("the " + id() + " backend cannot make a login per actor yet", null);
    }

    /**
     * Makes the repository's group roles, and their privileges in the branch's database, what the policy's groups say
     * ({@code database_access.groups}): each group's privileges on every current table of its scope, and by default
     * privileges on what migrations create later. Adds what is missing; {@link #revoke} takes away what is extra.
     */
    default void applyAccess(RepoRef repo, String name, List<DatabaseAccess.Group> groups) {}

    /** What the branch's database holds and the privileges in place on it, for {@link dev.tiergate.core.access.GrantDrift}. */
    default AccessSnapshot accessSnapshot(RepoRef repo, String name) {
        return new AccessSnapshot(Set.of(), Map.of(), Map.of(), Set.of());
    }

    /** Takes away privileges a drift added (a hand-run GRANT), as {@link dev.tiergate.core.access.GrantDrift} named them. */
    default void revoke(RepoRef repo, String name, List<Privilege> extra) {}

    /** The statement that gives ({@code grant}) or takes away a privilege as named by {@link dev.tiergate.core.access.Privilege}, for people to read. */
    default String statement(RepoRef repo, Privilege p, boolean grant) {
        return (grant ? "GRANT " : "REVOKE ") + p.privilege() + " ON " + p.kind() + " " + p.object()
                + (grant ? " TO " : " FROM ") + p.grantee();
    }

    /**
     * Makes the extensions the policy lists ({@code migrations.extensions}) exist in the branch's database before
     * migrations run there, so no migration needs the right to create them. By default through the migration login
     * (a cloud service decides which extensions its roles may create); the {@code postgres} backend as its admin.
     */
    default void createExtensions(RepoRef repo, String name, List<String> extensions) {
        if (extensions.isEmpty()) {
            return;
        }
        BranchConnection c = migrationConnection(repo, name);
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
                Statement st = conn.createStatement()) {
            for (String e : extensions) {
                st.execute("create extension if not exists \"" + e.replace("\"", "\"\"") + "\"");
            }
        } catch (SQLException e) {
            throw new BackendException(
                    "cannot create the policy's extensions " + extensions + " on " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts a run of repository SQL on the branch under {@code limits}. By default the watchdog watches from a
     * second session of the migration login itself (a role may cancel and terminate its own sessions); the
     * {@code postgres} backend watches as the admin and resets the migration role's settings first.
     */
    default MigrationSession openRun(RepoRef repo, String name, RunLimits limits) {
        BranchConnection login = migrationConnection(repo, name);
        return RunWatchdog.start(
                login,
                () -> DriverManager.getConnection(login.jdbcUrl(), login.user(), login.password()),
                login.database(),
                login.user(),
                limits,
                null);
    }

    /** Keeps {@code name} as it is now in a new branch {@code snapshot} (a backup before a tier migrates). */
    void snapshot(RepoRef repo, String name, String snapshot);

    /** Makes {@code name} what {@code snapshot} holds again (a failed migration undone, a rollback). */
    void restore(RepoRef repo, String name, String snapshot);

    /** Drops what {@code name} holds and copies {@code parent} as it is now (a working branch whose history was rewritten). */
    default void reset(RepoRef repo, String name, String parent) {
        delete(repo, name);
        create(repo, name, parent);
    }

    /** A tier's content changed (a merge migrated it): whatever is copied from it must be taken anew. */
    default void tierMoved(RepoRef repo, String tier) {}

    /** Ready clones waiting to become a new branch, by "repository:tier" (backends that keep a pool of them); none by default. */
    default Map<String, Integer> readyClones() {
        return Map.of();
    }

    /** Releases what the backend holds (connection pools, HTTP clients). */
    @Override
    default void close() {}
}

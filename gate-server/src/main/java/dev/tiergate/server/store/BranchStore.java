package dev.tiergate.server.store;

import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.repo.RepoRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** Tracked branches and their history, in the server's PostgreSQL. */
public final class BranchStore {
    private final DataSource ds;

    public BranchStore(DataSource ds) {
        this.ds = ds;
    }

    public Optional<BranchRecord> find(RepoRef repo, String gitBranch) {
        List<BranchRecord> r = query(
                "select * from branches where forge = ? and repo = ? and git_branch = ?",
                repo.forge(),
                repo.path(),
                gitBranch);
        return r.stream().findFirst();
    }

    public List<BranchRecord> list(RepoRef repo) {
        return query(
                "select * from branches where forge = ? and repo = ? order by kind desc, git_branch",
                repo.forge(),
                repo.path());
    }

    /** Every tracked branch of a repository path on any forge (the REST API is addressed by owner/name). */
    public List<BranchRecord> listByPath(String path) {
        return query("select * from branches where repo = ? order by kind desc, git_branch", path);
    }

    public List<BranchRecord> withHeadSha(RepoRef repo, String sha) {
        return query(
                "select * from branches where forge = ? and repo = ? and head_sha = ?", repo.forge(), repo.path(), sha);
    }

    public List<RepoRef> repos() {
        List<RepoRef> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("select distinct forge, repo from branches order by 1, 2");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new RepoRef(rs.getString(1), null, rs.getString(2)));
            }
        } catch (SQLException e) {
            throw new StoreException("listing repositories", e);
        }
        return out;
    }

    /** Upsert; a change of state also writes a history row. */
    public void save(BranchRecord r, String reason) {
        Optional<BranchRecord> before = find(r.repo(), r.gitBranch());
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into branches (forge, repo, git_branch, db_branch, parent, kind, state, head_sha, pr_number,
                                          actor_login, last_status, last_status_sha, last_rule, last_description, updated_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
                    on conflict (forge, repo, git_branch) do update set db_branch = excluded.db_branch,
                      parent = excluded.parent, kind = excluded.kind, state = excluded.state, head_sha = excluded.head_sha,
                      pr_number = excluded.pr_number, actor_login = excluded.actor_login, last_status = excluded.last_status,
                      last_status_sha = excluded.last_status_sha, last_rule = excluded.last_rule,
                      last_description = excluded.last_description, updated_at = now()""")) {
                ps.setString(1, r.repo().forge());
                ps.setString(2, r.repo().path());
                ps.setString(3, r.gitBranch());
                ps.setString(4, r.dbBranch());
                ps.setString(5, r.parent());
                ps.setString(6, r.kind().wireName());
                ps.setString(7, r.state().wireName());
                ps.setString(8, r.headSha());
                ps.setObject(9, r.prNumber());
                ps.setString(10, r.actorLogin());
                ps.setString(11, r.lastStatus() == null ? null : r.lastStatus().name());
                ps.setString(12, r.lastStatusSha());
                ps.setString(13, r.lastRule());
                ps.setString(14, r.lastDescription());
                ps.executeUpdate();
            }
            WorkflowState from = before.map(BranchRecord::state).orElse(null);
            if (from != r.state()) {
                insertHistory(c, r.repo(), r.gitBranch(), from, r.state(), reason, r.headSha());
            }
            c.commit();
        } catch (SQLException e) {
            throw new StoreException("saving branch " + r.gitBranch(), e);
        }
    }

    public void delete(RepoRef repo, String gitBranch, String reason) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("delete from branches where forge = ? and repo = ? and git_branch = ?")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            ps.setString(3, gitBranch);
            if (ps.executeUpdate() > 0) {
                try (Connection h = ds.getConnection()) {
                    insertHistory(
                            h, repo, gitBranch, null, WorkflowState.SCAFFOLD_COMPLETE, "deleted: " + reason, null);
                }
            }
        } catch (SQLException e) {
            throw new StoreException("deleting branch " + gitBranch, e);
        }
    }

    public List<HistoryEntry> history(RepoRef repo, String gitBranch) {
        List<HistoryEntry> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select at, from_state, to_state, reason, sha from branch_history where forge = ? and repo = ? and git_branch = ? order by id")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            ps.setString(3, gitBranch);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String from = rs.getString(2);
                    out.add(new HistoryEntry(
                            rs.getTimestamp(1).toInstant(),
                            from == null ? null : WorkflowState.fromWireName(from),
                            WorkflowState.fromWireName(rs.getString(3)),
                            rs.getString(4),
                            rs.getString(5)));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("reading history of " + gitBranch, e);
        }
        return out;
    }

    /** Database branch name → git branch, for keeping colliding names apart. */
    public Map<String, String> dbNamesInUse(RepoRef repo) {
        Map<String, String> out = new LinkedHashMap<>();
        for (BranchRecord r : list(repo)) {
            out.put(r.dbBranch(), r.gitBranch());
        }
        return out;
    }

    /**
     * Runs {@code work} while holding a PostgreSQL advisory lock for the repository, so two workers (in this
     * process or another server sharing the database) never decide about one repository at the same time.
     */
    public <T> T withRepoLock(RepoRef repo, Supplier<T> work) {
        try (Connection c = ds.getConnection()) {
            long key = repoKey(repo);
            lock(c, "select pg_advisory_lock(?)", key);
            try {
                return work.get();
            } finally {
                lock(c, "select pg_advisory_unlock(?)", key);
            }
        } catch (SQLException e) {
            throw new StoreException("locking repository " + repo.path(), e);
        }
    }

    private static long repoKey(RepoRef repo) {
        return ((long) repo.forge().hashCode() << 32) ^ repo.path().hashCode();
    }

    /**
     * Runs {@code work} while holding the repository's advisory lock in shared mode and PR {@code number}'s in
     * exclusive mode: judgements of different PRs of one repository run side by side, one PR is never judged twice at
     * once (here or in another server), and {@link #withRepoLock} (pushes, merges, rehearsals, reconcile passes: what
     * spans PRs) still excludes them all. Nothing under a PR lock takes another lock of these, so they cannot deadlock.
     * The PR's key is PostgreSQL's two-integer form, a key space apart from the one-bigint form of the repository's.
     */
    public <T> T withPullRequestLock(RepoRef repo, long number, Supplier<T> work) {
        try (Connection c = ds.getConnection()) {
            long key = repoKey(repo);
            int repoInt = (int) (key ^ (key >>> 32));
            lock(c, "select pg_advisory_lock_shared(?)", key);
            try {
                try (PreparedStatement ps = c.prepareStatement("select pg_advisory_lock(?, ?)")) {
                    ps.setInt(1, repoInt);
                    ps.setInt(2, (int) number);
                    ps.execute();
                }
                try {
                    return work.get();
                } finally {
                    try (PreparedStatement ps = c.prepareStatement("select pg_advisory_unlock(?, ?)")) {
                        ps.setInt(1, repoInt);
                        ps.setInt(2, (int) number);
                        ps.execute();
                    }
                }
            } finally {
                lock(c, "select pg_advisory_unlock_shared(?)", key);
            }
        } catch (SQLException e) {
            throw new StoreException("locking pull request " + number + " of " + repo.path(), e);
        }
    }

    private static void lock(Connection c, String sql, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, key);
            ps.execute();
        }
    }

    private static void insertHistory(
            Connection c,
            RepoRef repo,
            String gitBranch,
            WorkflowState from,
            WorkflowState to,
            String reason,
            String sha)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "insert into branch_history (forge, repo, git_branch, from_state, to_state, reason, sha) values (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            ps.setString(3, gitBranch);
            ps.setString(4, from == null ? null : from.wireName());
            ps.setString(5, to.wireName());
            ps.setString(6, reason);
            ps.setString(7, sha);
            ps.executeUpdate();
        }
    }

    private List<BranchRecord> query(String sql, Object... args) {
        List<BranchRecord> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(map(rs));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("reading branches", e);
        }
        return out;
    }

    private static BranchRecord map(ResultSet rs) throws SQLException {
        long pr = rs.getLong("pr_number");
        Long prNumber = rs.wasNull() ? null : pr;
        String status = rs.getString("last_status");
        Timestamp updated = rs.getTimestamp("updated_at");
        return new BranchRecord(
                new RepoRef(rs.getString("forge"), null, rs.getString("repo")),
                rs.getString("git_branch"),
                rs.getString("db_branch"),
                rs.getString("parent"),
                BranchKind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)),
                WorkflowState.fromWireName(rs.getString("state")),
                rs.getString("head_sha"),
                prNumber,
                rs.getString("actor_login"),
                status == null ? null : StatusState.valueOf(status),
                rs.getString("last_status_sha"),
                updated == null ? Instant.now() : updated.toInstant(),
                rs.getString("last_rule"),
                rs.getString("last_description"));
    }
}

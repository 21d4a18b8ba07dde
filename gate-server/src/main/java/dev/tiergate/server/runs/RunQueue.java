package dev.tiergate.server.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.repo.RepoRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The durable queue of runs ({@code runs} in the store). A run is stored by the delivery that decided it, so a crash
 * loses none; claims are leases, as the inbox's, and several servers may share the queue. A claim takes the oldest
 * waiting run of a repository that has fewer than {@code perRepository} runs under way: a repository whose runs are
 * all busy (a slow or hostile migration) waits for its own, and every other repository's runs go on.
 */
public final class RunQueue {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Claims are made one at a time (a transaction-scoped advisory lock), so two claimers cannot both pass the per-repository bound. */
    private static final long CLAIM_LOCK = 0x7469657267617465L; // "tiergate"

    private final DataSource ds;
    private final int perRepository;

    public RunQueue(DataSource ds, int perRepository) {
        if (perRepository < 1) {
            throw new IllegalArgumentException("at least one run per repository");
        }
        this.ds = ds;
        this.perRepository = perRepository;
    }

    /** Stores {@code run}; false when the same run (kind, repository, subject, dedup) already waits or runs. */
    public boolean enqueue(Run run) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                insert into runs (forge, instance, repo, kind, subject, dedup, payload) values (?, ?, ?, ?, ?, ?, ?::jsonb)
                on conflict (forge, instance, repo, kind, subject, dedup) where status in ('queued', 'retry', 'running') do nothing""")) {
            ps.setString(1, run.repo().forge());
            ps.setString(2, run.repo().instance() == null ? "" : run.repo().instance());
            ps.setString(3, run.repo().path());
            ps.setString(4, run.kind().wireName());
            ps.setString(5, run.subject());
            ps.setString(6, run.dedup());
            ps.setString(7, JSON.writeValueAsString(run.payload()));
            return ps.executeUpdate() == 1;
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot queue the run " + run + ": " + e.getMessage(), e);
        }
    }

    private static final String CLAIM = """
            update runs set status = 'running', attempts = attempts + 1, locked_until = now() + make_interval(secs => ?)
             where id = (
               select r.id from runs r
                where r.status in ('queued', 'retry', 'running')
                  and ((r.status in ('queued', 'retry') and r.next_attempt_at <= now())
                       or (r.status = 'running' and r.locked_until < now() and r.attempts < ?))
                  and (select count(*) from runs o where o.status = 'running' and o.locked_until >= now()
                         and o.forge = r.forge and o.instance = r.instance and o.repo = r.repo and o.id <> r.id) < ?
                order by r.id
                for update skip locked
                limit 1)
            returning id, forge, instance, repo, kind, subject, dedup, payload::text, attempts""";

    /**
     * A run whose lease ran out {@code maxAttempts} times (a server that died in it each time: the run may be what
     * kills it) is failed, not claimed again.
     */
    private static final String GIVE_UP = """
            update runs set status = 'failed', locked_until = null, finished_at = now(),
                   last_error = 'the server stopped during each of its ' || attempts || ' attempts'
             where status = 'running' and locked_until < now() and attempts >= ?""";

    /**
     * The oldest run that may start now, leased for {@code lease}, or empty. The claim's {@code attempts} is its
     * fencing token: {@link #renew}, {@link #done}, {@link #retryLater} and {@link #failed} change the run only while
     * it is still this claim's.
     */
    public Optional<Run> claim(Duration lease, int maxAttempts) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)");
                    PreparedStatement giveUp = c.prepareStatement(GIVE_UP);
                    PreparedStatement ps = c.prepareStatement(CLAIM)) {
                lock.setLong(1, CLAIM_LOCK);
                lock.execute();
                giveUp.setInt(1, maxAttempts);
                giveUp.executeUpdate();
                ps.setDouble(1, lease.toMillis() / 1000.0);
                ps.setInt(2, maxAttempts);
                ps.setInt(3, perRepository);
                Optional<Run> claimed = Optional.empty();
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        String instance = rs.getString(3);
                        RepoRef repo =
                                new RepoRef(rs.getString(2), instance.isEmpty() ? null : instance, rs.getString(4));
                        Map<String, String> payload =
                                JSON.readValue(rs.getString(8), new TypeReference<Map<String, String>>() {});
                        claimed = Optional.of(new Run(
                                rs.getLong(1),
                                RunKind.fromWire(rs.getString(5)),
                                repo,
                                rs.getString(6),
                                rs.getString(7),
                                payload,
                                rs.getInt(9)));
                    }
                }
                c.commit();
                return claimed;
            } catch (SQLException | JsonProcessingException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot claim a run: " + e.getMessage(), e);
        }
    }

    /** The worker is still at it; false when the run is no longer this claim's (its lease ran out and another took it). */
    public boolean renew(Run claim, Duration lease) {
        return update(
                        "update runs set locked_until = now() + make_interval(secs => ?) where id = ? and attempts = ? and status = 'running'",
                        lease.toMillis() / 1000.0,
                        null,
                        claim)
                == 1;
    }

    public void done(Run claim) {
        update(
                "update runs set status = 'done', locked_until = null, finished_at = now() where id = ? and attempts = ? and status = 'running'",
                null,
                null,
                claim);
    }

    public void retryLater(Run claim, String error, Duration delay) {
        update(
                "update runs set status = 'retry', locked_until = null, next_attempt_at = now() + make_interval(secs => ?), last_error = ?"
                        + " where id = ? and attempts = ? and status = 'running'",
                delay.toMillis() / 1000.0,
                error,
                claim);
    }

    public void failed(Run claim, String error) {
        update(
                "update runs set status = 'failed', locked_until = null, finished_at = now(), last_error = ?"
                        + " where id = ? and attempts = ? and status = 'running'",
                null,
                error,
                claim);
    }

    /**
     * The newest run of {@code kind} about {@code subject} for {@code dedup}, when it failed for good, queued again
     * with its attempts from zero (the reconcile pass's repair of a run whose failure was the forge's or the
     * backend's). False when there is none, or the same run already waits.
     */
    public boolean askAgainIfFailed(RepoRef repo, RunKind kind, String subject, String dedup) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                update runs r set status = 'retry', attempts = 0, next_attempt_at = now(), finished_at = null
                 where r.id = (select id from runs where forge = ? and instance = ? and repo = ? and kind = ? and subject = ? and dedup = ?
                                order by id desc limit 1)
                   and r.status = 'failed'
                   and not exists (select 1 from runs o where o.forge = r.forge and o.instance = r.instance and o.repo = r.repo
                                     and o.kind = r.kind and o.subject = r.subject and o.dedup = r.dedup and o.status in ('queued', 'retry', 'running'))""")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.instance() == null ? "" : repo.instance());
            ps.setString(3, repo.path());
            ps.setString(4, kind.wireName());
            ps.setString(5, subject);
            ps.setString(6, dedup);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot ask again for a run of " + repo.path() + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code repo} has a run waiting or under way (the reconcile pass leaves its databases alone then). */
    public boolean pendingFor(RepoRef repo) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("select exists (select 1 from runs where status in"
                        + " ('queued', 'retry', 'running') and forge = ? and instance = ? and repo = ?)")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.instance() == null ? "" : repo.instance());
            ps.setString(3, repo.path());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot look for the runs of " + repo.path() + ": " + e.getMessage(), e);
        }
    }

    /** Runs waiting or under way. */
    public int pendingCount() {
        try (Connection c = ds.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("select count(*) from runs where status in ('queued', 'retry', 'running')");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count runs: " + e.getMessage(), e);
        }
    }

    /** Status and last error of the newest run of {@code kind} about {@code subject} in {@code repo}, for tests and the dashboard. */
    public Optional<String[]> latest(RepoRef repo, RunKind kind, String subject) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select status, last_error, attempts from runs where forge = ? and repo = ? and kind = ? and subject = ? order by id desc limit 1")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            ps.setString(3, kind.wireName());
            ps.setString(4, subject);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new String[] {rs.getString(1), rs.getString(2), Integer.toString(rs.getInt(3))})
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Changes the claimed run; the number of rows changed (0: the claim is no longer the run's). */
    private int update(String sql, Double seconds, String error, Run claim) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (seconds != null) {
                ps.setDouble(i++, seconds);
            }
            if (sql.contains("last_error = ?")) {
                ps.setString(i++, error == null ? null : error.length() > 2000 ? error.substring(0, 2000) : error);
            }
            ps.setLong(i++, claim.id());
            ps.setInt(i, claim.attempts());
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot update run " + claim.id() + ": " + e.getMessage(), e);
        }
    }
}

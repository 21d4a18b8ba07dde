package dev.tiergate.server.inbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.audit.AuditLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/**
 * The durable inbox: a delivery is stored before the forge gets its 2xx, so a crash between receiving and
 * processing loses nothing. Claims use {@code FOR UPDATE SKIP LOCKED} so several server processes can share it;
 * a claim is a lease, and a delivery whose worker died is claimed again when the lease runs out.
 */
public final class Inbox {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DataSource ds;
    private final AuditLog audit;

    /** An inbox whose deliveries are not audited (tests of the inbox alone). */
    public Inbox(DataSource ds) {
        this(ds, null);
    }

    /** An inbox that appends each new delivery's audit record in the transaction that stores it. */
    public Inbox(DataSource ds, AuditLog audit) {
        this.ds = ds;
        this.audit = audit;
    }

    /** Stores a delivery; false when this forge's delivery id was already stored (a redelivery: no-op). */
    public boolean receive(
            String forge, String deliveryId, String eventType, Map<String, String> headers, byte[] body) {
        return receive(forge, deliveryId, eventType, headers, body, null);
    }

    /**
     * Stores a delivery and, when it is new, its audit record {@code auditWhenNew} (null: none), in one transaction: both are
     * stored or neither is, so a crash cannot leave an acknowledged delivery without its audit record. Returns only
     * after that transaction committed. Deliveries that arrive while another commit is under way share the next
     * one (group commit: one WAL flush for many), each still answered only after its own commit.
     */
    public boolean receive(
            String forge,
            String deliveryId,
            String eventType,
            Map<String, String> headers,
            byte[] body,
            AuditLog.Entry auditWhenNew) {
        String headersJson;
        try {
            headersJson = JSON.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot store delivery " + deliveryId + ": " + e.getMessage(), e);
        }
        Pending p =
                new Pending(forge, deliveryId, eventType, headersJson, body, auditWhenNew, new CompletableFuture<>());
        writer().add(p);
        try {
            return p.stored().get(STORE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot store delivery " + deliveryId + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "cannot store delivery " + deliveryId + ": the store did not commit within "
                            + STORE_TIMEOUT.toSeconds() + " s",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing delivery " + deliveryId, e);
        }
    }

    /** How long a webhook request waits for its commit before it is answered 503 (the forge then delivers it again). */
    static final Duration STORE_TIMEOUT = Duration.ofSeconds(10);
    /** At most this many deliveries share one commit. */
    static final int MAX_GROUP = 128;

    /** A delivery waiting for the writer's next commit. */
    record Pending(
            String forge,
            String deliveryId,
            String eventType,
            String headersJson,
            byte[] body,
            AuditLog.Entry auditWhenNew,
            CompletableFuture<Boolean> stored) {}

    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private volatile Thread writerThread;

    private LinkedBlockingQueue<Pending> writer() {
        if (writerThread == null) {
            synchronized (this) {
                if (writerThread == null) {
                    Thread t = new Thread(this::writeLoop, "tiergate-inbox-writer");
                    t.setDaemon(true);
                    t.start();
                    writerThread = t;
                }
            }
        }
        return queue;
    }

    /** One thread commits: it takes whatever arrived while the last commit ran, so the group grows with the load. */
    private void writeLoop() {
        List<Pending> group = new ArrayList<>(MAX_GROUP);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(group, MAX_GROUP - 1);
            try {
                boolean[] fresh = store(group);
                for (int i = 0; i < group.size(); i++) {
                    group.get(i).stored().complete(fresh[i]);
                }
            } catch (SQLException | RuntimeException e) {
                if (group.size() == 1 || storeUnreachable(e)) {
                    group.forEach(p -> p.stored().completeExceptionally(e));
                    group.clear();
                    continue;
                }
                // one bad delivery must not fail the others: each alone, in its own transaction
                for (Pending p : group) {
                    try {
                        p.stored().complete(store(List.of(p))[0]);
                    } catch (SQLException | RuntimeException alone) {
                        p.stored().completeExceptionally(alone);
                    }
                }
            }
            group.clear();
        }
    }

    /** The store did not answer at all (no connection): trying each delivery alone would only wait again. */
    private static boolean storeUnreachable(Exception e) {
        return e instanceof SQLTransientConnectionException
                || e instanceof SQLException se
                        && se.getSQLState() != null
                        && se.getSQLState().startsWith("08");
    }

    /**
     * One transaction for the group, in a fixed number of round trips whatever its size: one multi-row insert that
     * returns the rows that were new, then (with an audit trail) one chain lock, one head read, one batch of records.
     */
    private boolean[] store(List<Pending> group) throws SQLException {
        boolean[] fresh = new boolean[group.size()];
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into inbox (forge, delivery_id, event_type, headers, body)
                    select f, d, e, h::jsonb, b from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bytea[]) as t(f, d, e, h, b)
                    on conflict (forge, delivery_id) do nothing
                    returning forge, delivery_id""")) {
                int n = group.size();
                String[] forges = new String[n], ids = new String[n], events = new String[n], headers = new String[n];
                byte[][] bodies = new byte[n][];
                for (int i = 0; i < n; i++) {
                    Pending p = group.get(i);
                    forges[i] = p.forge();
                    ids[i] = p.deliveryId();
                    events[i] = p.eventType();
                    headers[i] = p.headersJson();
                    bodies[i] = p.body();
                }
                ps.setArray(1, c.createArrayOf("text", forges));
                ps.setArray(2, c.createArrayOf("text", ids));
                ps.setArray(3, c.createArrayOf("text", events));
                ps.setArray(4, c.createArrayOf("text", headers));
                ps.setArray(5, c.createArrayOf("bytea", bodies));
                Set<String> inserted = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        inserted.add(rs.getString(1) + "\n" + rs.getString(2));
                    }
                }
                List<AuditLog.Entry> records = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Pending p = group.get(i);
                    // the same delivery twice in one group: the first is the new one
                    fresh[i] = inserted.remove(p.forge() + "\n" + p.deliveryId());
                    if (fresh[i] && p.auditWhenNew() != null) {
                        records.add(p.auditWhenNew());
                    }
                }
                if (!records.isEmpty()) {
                    if (audit == null) {
                        throw new IllegalStateException("this inbox has no audit trail to append delivery records to");
                    }
                    audit.appendAll(c, records);
                }
                c.commit();
                return fresh;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Stops the writer; deliveries still queued are refused (their senders answer 503 and the forge redelivers). */
    public void close() {
        Thread t = writerThread;
        if (t != null) {
            t.interrupt();
        }
        Pending p;
        while ((p = queue.poll()) != null) {
            p.stored().completeExceptionally(new IllegalStateException("the server is stopping"));
        }
    }

    /** The oldest ready delivery; the subquery alone is {@link #CLAIM_SELECT} (its plan is tested). */
    static final String CLAIM_SELECT = """
            select id from inbox
             where status in ('received', 'retry', 'processing')
               and ((status in ('received', 'retry') and next_attempt_at <= now())
                    or (status = 'processing' and locked_until < now()))
             order by id
             for update skip locked
             limit 1""";

    private static final String CLAIM = "update inbox set status = 'processing', attempts = attempts + 1,"
            + " locked_until = now() + make_interval(secs => ?) where id = (" + CLAIM_SELECT + ")"
            + " returning id, forge, delivery_id, event_type, headers::text, body, attempts, received_at";

    /**
     * Claims the oldest ready delivery for {@code lease}, or empty. Like every change of a delivery's status after it
     * was stored, the claim commits without waiting for its WAL flush ({@code synchronous_commit = off}): only the
     * store before the 2xx must be durable. A status lost in a crash is at most the last few hundred milliseconds'
     * worth; the delivery is then claimed and processed again, which level-triggered processing makes harmless, and
     * the webhook path keeps the disk's flushes to itself.
     *
     * <p>The first condition repeats the partial index's predicate ({@code inbox_waiting_by_id}): PostgreSQL cannot
     * prove the OR below implies it, and without it planned a walk of the primary key over every done row, 23 ms a
     * claim with 27,000 done rows ahead of the first waiting one, and slower as they grew; with it, 0.9 ms
     * (BENCHMARKS.md, the drain of a 100,000-delivery backlog).
     */
    public Optional<Delivery> claimNext(Duration lease) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
                noFlushWait(c);
                ps.setDouble(1, lease.toMillis() / 1000.0);
                Optional<Delivery> claimed = Optional.empty();
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        Map<String, String> headers =
                                JSON.readValue(rs.getString(5), new TypeReference<Map<String, String>>() {});
                        claimed = Optional.of(new Delivery(
                                rs.getLong(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                headers,
                                rs.getBytes(6),
                                rs.getInt(7),
                                rs.getTimestamp(8).toInstant()));
                    }
                }
                c.commit();
                return claimed;
            } catch (SQLException | JsonProcessingException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot claim from the inbox: " + e.getMessage(), e);
        }
    }

    /** This transaction's commit does not wait for the WAL flush (see {@link #claimNext}). */
    private static void noFlushWait(Connection c) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("set local synchronous_commit = off");
        }
    }

    /** The worker is still at it: extend its claim (a heartbeat). */
    public void renewLease(long id, Duration lease) {
        update(
                "update inbox set locked_until = now() + make_interval(secs => ?) where id = ? and status = 'processing'",
                id,
                null,
                lease.toMillis() / 1000.0);
    }

    public void markDone(long id) {
        update(
                "update inbox set status = 'done', processed_at = now(), locked_until = null, last_error = null where id = ?",
                id,
                null,
                null);
    }

    public void retryLater(long id, String error, Duration delay) {
        update(
                "update inbox set status = 'retry', locked_until = null, last_error = ?, next_attempt_at = now() + make_interval(secs => ?) where id = ?",
                id,
                error,
                delay.toMillis() / 1000.0);
    }

    public void park(long id, String error) {
        update(
                "update inbox set status = 'parked', locked_until = null, last_error = ?, processed_at = now() where id = ?",
                id,
                error,
                null);
    }

    /** Status and last error of one delivery, for tests and the API. */
    public Optional<String[]> statusOf(String forge, String deliveryId) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select status, last_error, attempts from inbox where forge = ? and delivery_id = ?")) {
            ps.setString(1, forge);
            ps.setString(2, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new String[] {rs.getString(1), rs.getString(2), Integer.toString(rs.getInt(3))})
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public int pendingCount() {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select count(*) from inbox where status in ('received', 'retry', 'processing')");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deliveries not yet done and the age in seconds of the oldest of them (0 when none), in one query. */
    public double[] depthAndOldestAgeSeconds() {
        try (Connection c = ds.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("select count(*), coalesce(extract(epoch from now() - min(received_at)), 0) "
                                + "from inbox where status in ('received', 'retry', 'processing')");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new double[] {rs.getLong(1), rs.getDouble(2)};
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A status change of a stored delivery: no wait for the WAL flush (see {@link #claimNext}). */
    private void update(String sql, long id, String error, Double seconds) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                noFlushWait(c);
                int i = 1;
                if (error != null || sql.contains("last_error = ?")) {
                    ps.setString(i++, error == null ? null : truncate(error));
                }
                if (seconds != null) {
                    ps.setDouble(i++, seconds);
                }
                ps.setLong(i, id);
                ps.executeUpdate();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot update delivery " + id + ": " + e.getMessage(), e);
        }
    }

    private static String truncate(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) : s;
    }
}

package dev.tiergate.server.inbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The durable inbox: a delivery is stored before the forge gets its 2xx, so a crash between receiving and
 * processing loses nothing. Claims use {@code FOR UPDATE SKIP LOCKED} so several server processes can share it;
 * a claim is a lease, and a delivery whose worker died is claimed again when the lease runs out.
 */
public final class Inbox {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DataSource ds;

    public Inbox(DataSource ds) {
        this.ds = ds;
    }

    /** What else must be stored in the same transaction as a new delivery (its audit record). */
    @FunctionalInterface
    public interface AlsoWhenNew {
        void store(Connection c) throws SQLException;
    }

    /** Stores a delivery; false when this forge's delivery id was already stored (a redelivery: no-op). */
    public boolean receive(String forge, String deliveryId, String eventType, Map<String, String> headers, byte[] body) {
        return receive(forge, deliveryId, eventType, headers, body, c -> { });
    }

    /**
     * Stores a delivery and, when it is new, whatever {@code alsoWhenNew} writes, in one transaction: both are
     * stored or neither is, so a crash cannot leave an acknowledged delivery without its audit record.
     */
    public boolean receive(String forge, String deliveryId, String eventType, Map<String, String> headers, byte[] body,
                           AlsoWhenNew alsoWhenNew) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into inbox (forge, delivery_id, event_type, headers, body) values (?, ?, ?, ?::jsonb, ?)
                    on conflict (forge, delivery_id) do nothing""")) {
                ps.setString(1, forge);
                ps.setString(2, deliveryId);
                ps.setString(3, eventType);
                ps.setString(4, JSON.writeValueAsString(headers));
                ps.setBytes(5, body);
                boolean fresh = ps.executeUpdate() == 1;
                if (fresh) {
                    alsoWhenNew.store(c);
                }
                c.commit();
                return fresh;
            } catch (SQLException | JsonProcessingException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot store delivery " + deliveryId + ": " + e.getMessage(), e);
        }
    }

    /** Claims the oldest ready delivery for {@code lease}, or empty. */
    public Optional<Delivery> claimNext(Duration lease) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                update inbox set status = 'processing', attempts = attempts + 1,
                       locked_until = now() + make_interval(secs => ?)
                 where id = (select id from inbox
                              where (status in ('received', 'retry') and next_attempt_at <= now())
                                 or (status = 'processing' and locked_until < now())
                              order by id
                              for update skip locked
                              limit 1)
                returning id, forge, delivery_id, event_type, headers::text, body, attempts, received_at""")) {
            ps.setDouble(1, lease.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Map<String, String> headers = JSON.readValue(rs.getString(5), new TypeReference<Map<String, String>>() { });
                return Optional.of(new Delivery(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), headers,
                        rs.getBytes(6), rs.getInt(7), rs.getTimestamp(8).toInstant()));
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("cannot claim from the inbox: " + e.getMessage(), e);
        }
    }

    /** The worker is still at it: extend its claim (a heartbeat). */
    public void renewLease(long id, Duration lease) {
        update("update inbox set locked_until = now() + make_interval(secs => ?) where id = ? and status = 'processing'",
                id, null, lease.toMillis() / 1000.0);
    }

    public void markDone(long id) {
        update("update inbox set status = 'done', processed_at = now(), locked_until = null, last_error = null where id = ?", id, null, null);
    }

    public void retryLater(long id, String error, Duration delay) {
        update("update inbox set status = 'retry', locked_until = null, last_error = ?, next_attempt_at = now() + make_interval(secs => ?) where id = ?",
                id, error, delay.toMillis() / 1000.0);
    }

    public void park(long id, String error) {
        update("update inbox set status = 'parked', locked_until = null, last_error = ?, processed_at = now() where id = ?", id, error, null);
    }

    /** Status and last error of one delivery, for tests and the API. */
    public Optional<String[]> statusOf(String forge, String deliveryId) {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("select status, last_error, attempts from inbox where forge = ? and delivery_id = ?")) {
            ps.setString(1, forge);
            ps.setString(2, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new String[] {rs.getString(1), rs.getString(2), Integer.toString(rs.getInt(3))}) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public int pendingCount() {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("select count(*) from inbox where status in ('received', 'retry', 'processing')");
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
             PreparedStatement ps = c.prepareStatement("select count(*), coalesce(extract(epoch from now() - min(received_at)), 0) "
                     + "from inbox where status in ('received', 'retry', 'processing')");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new double[] {rs.getLong(1), rs.getDouble(2)};
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void update(String sql, long id, String error, Double seconds) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (error != null || sql.contains("last_error = ?")) {
                ps.setString(i++, error == null ? null : truncate(error));
            }
            if (seconds != null) {
                ps.setDouble(i++, seconds);
            }
            ps.setLong(i, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot update delivery " + id + ": " + e.getMessage(), e);
        }
    }

    private static String truncate(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) : s;
    }
}

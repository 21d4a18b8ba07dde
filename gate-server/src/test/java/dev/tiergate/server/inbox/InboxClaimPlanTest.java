package dev.tiergate.server.inbox;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.store.Database;
import dev.tiergate.server.support.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * A claim must not walk the done rows. With the claim's OR alone PostgreSQL planned a scan of the primary key over
 * every delivery ever stored, filtering the done ones out, so a large backlog drained slower and slower (700/s falling
 * to 230/s within a minute, BENCHMARKS.md). The plan is checked on a real PostgreSQL with 20,000 done rows ahead of
 * the waiting ones, as after a burst.
 */
class InboxClaimPlanTest {
    @Test
    void theClaimReadsOnlyTheWaitingRowsThroughThePartialIndex() throws Exception {
        try (Database db = TestPostgres.freshStore();
                Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute(
                    "insert into inbox (forge, delivery_id, event_type, headers, body, status, processed_at)"
                            + " select 'github', 'done-' || g, 'star', '{}', '\\x7b7d', 'done', now() from generate_series(1, 20000) g");
            st.execute("insert into inbox (forge, delivery_id, event_type, headers, body)"
                    + " select 'github', 'waiting-' || g, 'star', '{}', '\\x7b7d' from generate_series(1, 50) g");
            st.execute("analyze inbox");
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = st.executeQuery("explain " + Inbox.CLAIM_SELECT)) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertTrue(
                    plan.toString().contains("using inbox_waiting_by_id"),
                    "the claim should read the partial index:\n" + plan);
            assertTrue(!plan.toString().contains("inbox_pkey"), "the claim should not walk the primary key:\n" + plan);
        }
    }
}

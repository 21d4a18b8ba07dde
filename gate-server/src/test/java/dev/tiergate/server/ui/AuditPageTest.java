package dev.tiergate.server.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.support.ServerHarness;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The audit page's verdict on the chain: intact, a record edited (the browser test), records cut from the end. */
class AuditPageTest {
    @Test
    void recordsDeletedFromTheEndAreNamedAgainstTheAnchor() throws Exception {
        try (ServerHarness h = new ServerHarness()) {
            for (int i = 0; i < 3; i++) {
                h.server
                        .audit()
                        .append(AuditKind.TRANSITION, h.repo, "feature/x", Map.of("to", "feature-claimed", "n", i));
            }
            long last = Long.parseLong(h.server.audit().head().orElseThrow()[0]);
            String page = "/ui/" + h.repoPath + "/audit";
            assertTrue(
                    h.get(page).body().contains("Hash chain intact"),
                    h.get(page).body());
            long deadline = System.currentTimeMillis() + 10_000; // the anchor follows the head within 250 ms
            while (!h.get("/healthz").body().contains("\"seq\":" + last)) {
                assertTrue(
                        System.currentTimeMillis() < deadline,
                        "the anchor did not reach record " + last + ": "
                                + h.get("/healthz").body());
                Thread.sleep(50);
            }
            try (Connection c = h.db.dataSource().getConnection();
                    PreparedStatement ps = c.prepareStatement("delete from audit where seq = ?")) {
                ps.setLong(1, last);
                assertEquals(1, ps.executeUpdate());
            }
            String body = h.get(page).body();
            assertTrue(
                    body.contains("Hash chain BROKEN at its end: record " + last + " is missing: the anchor says "
                            + last + ", the table ends at " + (last - 1)),
                    body);
        }
    }
}

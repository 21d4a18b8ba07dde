package dev.tiergate.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.support.ServerHarness;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** A delivery and its audit record are stored in one transaction: both or neither. */
class DeliveryAuditTest {
    @Test
    void aFailingAuditInsertRollsBackTheInboxRowAndTheRedeliveryIsAuditedOnce() throws Exception {
        try (ServerHarness h = new ServerHarness()) {
            sql(h, "alter table audit add constraint refuse_deliveries check (kind <> 'delivery')");
            byte[] body = "{\"zen\":\"x\",\"hook_id\":1}".getBytes(StandardCharsets.UTF_8);
            var refused = h.postRaw("/webhooks/github", WebhookEndpointTest.signed("ping", "tx-1", body), body);
            // not stored, so not acknowledged: 503 with Retry-After makes the forge deliver it again
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            assertTrue(
                    h.server.inbox().statusOf("github", "tx-1").isEmpty(),
                    "the inbox row must roll back with the audit insert");

            sql(h, "alter table audit drop constraint refuse_deliveries");
            var accepted = h.postRaw("/webhooks/github", WebhookEndpointTest.signed("ping", "tx-1", body), body);
            assertEquals(202, accepted.statusCode());
            assertTrue(accepted.body().contains("\"duplicate\":false"), accepted.body());
            var again = h.postRaw("/webhooks/github", WebhookEndpointTest.signed("ping", "tx-1", body), body);
            assertTrue(again.body().contains("\"duplicate\":true"), again.body());
            assertEquals(
                    1,
                    h.server.audit().all().stream()
                            .filter(a -> a.kind().equals("delivery") && "github:tx-1".equals(a.subject()))
                            .count());
            assertTrue(h.server.audit().verify().isEmpty());
        }
    }

    private static void sql(ServerHarness h, String s) throws Exception {
        try (Connection c = h.db.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute(s);
        }
    }
}

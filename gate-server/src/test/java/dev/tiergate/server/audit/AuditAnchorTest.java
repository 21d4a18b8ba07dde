package dev.tiergate.server.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.cli.ServerMain;
import dev.tiergate.server.http.WebhookEndpointTestSupport;
import dev.tiergate.server.support.ServerHarness;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chain's head is anchored outside the table, so deleting the newest records is detected. */
class AuditAnchorTest {
    @Test
    void truncatingTheNewestRecordsIsNamedByVerifyAndTheAnchorIsShownByHealthz(@TempDir Path tmp) throws Exception {
        try (ServerHarness h = new ServerHarness()) {
            for (int i = 0; i < 5; i++) {
                assertEquals(202, WebhookEndpointTestSupport.ping(h, "anchor-" + i));
            }
            long head = h.server.audit().all().size();
            assertEquals(5, head);
            long deadline = System.currentTimeMillis() + 5000;
            while (!h.get("/healthz").body().contains("\"seq\":" + head)) {
                assertTrue(
                        System.currentTimeMillis() < deadline,
                        "anchor not at " + head + ": " + h.get("/healthz").body());
                Thread.sleep(20);
            }
            Path cfg = tmp.resolve("tiergate.properties");
            Files.writeString(
                    cfg,
                    "TIERGATE_DB_URL=" + h.db.jdbcUrl() + "\nTIERGATE_DB_USER=postgres\nTIERGATE_HOME=" + h.home
                            + "\n");
            assertEquals(0, verify(cfg).code);

            try (Connection c = h.db.dataSource().getConnection();
                    Statement st = c.createStatement()) {
                st.execute("delete from audit where seq > 2");
            }
            Result r = verify(cfg);
            assertEquals(2, r.code, r.out);
            assertTrue(
                    r.out.contains(
                            "audit trail BROKEN: records 3–5 are missing: the anchor says 5, the table ends at 2 [audit.anchor]"),
                    r.out);
            // the running server does not move its anchor back over the gap
            Thread.sleep(3 * AnchorKeeper.EVERY.toMillis());
            assertTrue(h.get("/healthz").body().contains("\"seq\":5"));

            Files.writeString(
                    h.home.resolve(AuditAnchor.FILE),
                    Files.readString(h.home.resolve(AuditAnchor.FILE)).replace("\"seq\":5", "\"seq\":2"));
            Result forged = verify(cfg);
            assertEquals(3, forged.code);
            assertTrue(forged.err.contains("is not signed with this server's key"), forged.err);
        }
    }

    record Result(int code, String out, String err) {}

    private static Result verify(Path cfg) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ServerMain.run(
                new String[] {"audit", "verify", "--config", cfg.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}

package dev.tiergate.server.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoTest {
    @Test
    void tellsTheWholeStoryAndLeavesNothingRunning() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = Demo.run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("database branches in PostgreSQL: feature-f1-split-inventory, production, staging"), out);
        assertTrue(out.contains("database branches in PostgreSQL: ci-pr-1, feature-f1-split-inventory, production, staging"), out);
        assertTrue(out.contains("feature/F1-split-inventory is ci-green"), out);
        assertTrue(out.contains("SUCCESS — All tiergate rules hold"), out);
        assertTrue(out.contains("feature/F1-split-inventory is merged"), out);
        assertTrue(out.contains("FAILURE — feature branches merge into staging, not main (production); retarget the PR [gate.edge.skips-tier]"), out);
        assertTrue(out.contains("[gate.approvals.agent-needs-human]"), out);
        assertTrue(out.contains("chain intact"), out);
        assertTrue(out.contains("temporary files removed"), out);
        // nothing of the server is left running: no workers, reconciler, HTTP server threads or connection pools
        Thread.sleep(200);
        java.util.List<String> left = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("tiergate-") || n.startsWith("qtp") || n.startsWith("JettyServerThreadPool") || n.contains("Hikari"))
                .toList();
        assertTrue(left.isEmpty(), "threads still running: " + left);
    }
}

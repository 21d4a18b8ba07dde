package dev.tiergate.server.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.cli.ServerMain;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.support.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTrailTest {
    Database db;
    AuditLog log;
    final RepoRef repo = new RepoRef("github", null, "acme/inventory");

    @BeforeEach
    void fill() {
        db = TestPostgres.freshStore();
        log = new AuditLog(db.dataSource());
        for (int i = 1; i <= 5; i++) {
            log.append(AuditKind.TRANSITION, repo, "feature/f" + i, Map.of("to", "pr-ready", "sha", "s" + i));
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    void sql(String s) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute(s);
        }
    }

    @Test
    void intactTrailVerifiesAndExportsJsonLines() throws Exception {
        assertTrue(log.verify().isEmpty());
        StringWriter w = new StringWriter();
        assertEquals(5, log.exportJsonLines(w));
        String[] lines = w.toString().split("\n");
        assertEquals(5, lines.length);
        var first = new ObjectMapper().readTree(lines[0]);
        assertEquals(1, first.path("seq").asInt());
        assertEquals("pr-ready", first.path("details").path("to").asText());
        assertEquals(64, first.path("hash").asText().length());
    }

    @Test
    void editedRecordIsNamed() throws Exception {
        sql("update audit set details = '{\"sha\":\"s3\",\"to\":\"merged\"}' where seq = 3");
        assertTrue(
                log.verify().orElseThrow().startsWith("record 3 (transition feature/f3) was edited"),
                log.verify().orElseThrow());
    }

    @Test
    void deletedRecordIsNamed() throws Exception {
        sql("delete from audit where seq = 2");
        assertEquals(
                "record 2 is missing: deleted before record 3", log.verify().orElseThrow());
    }

    @Test
    void cliVerifyAndExportWorkAgainstTheStore(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("tiergate.properties");
        Files.writeString(cfg, "TIERGATE_DB_URL=" + db.jdbcUrl() + "\nTIERGATE_DB_USER=postgres\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(
                0,
                ServerMain.run(
                        new String[] {"audit", "verify", "--config", cfg.toString()},
                        new PrintStream(out),
                        System.err));
        Path export = tmp.resolve("audit.jsonl");
        assertEquals(
                0,
                ServerMain.run(
                        new String[] {"audit", "export", "--config", cfg.toString(), "--out", export.toString()},
                        new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(new ByteArrayOutputStream())));
        assertEquals(5, Files.readAllLines(export).size());
        sql("update audit set subject = 'feature/forged' where seq = 4");
        ByteArrayOutputStream broken = new ByteArrayOutputStream();
        int code = ServerMain.run(
                new String[] {"audit", "verify", "--config", cfg.toString()},
                new PrintStream(broken, true, StandardCharsets.UTF_8),
                System.err);
        assertEquals(2, code);
        assertTrue(
                broken.toString(StandardCharsets.UTF_8).contains("record 4 (transition feature/forged) was edited"),
                broken.toString(StandardCharsets.UTF_8));
    }

    @Test
    void verifyAndExportNeverMigrateOrWriteTheStore(@TempDir Path tmp) throws Exception {
        String empty = "empty_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
        sql("create database " + empty);
        String url = db.jdbcUrl().replaceAll("/[^/?]+(\\?|$)", "/" + empty + "$1");
        Path cfg = tmp.resolve("tiergate.properties");
        Files.writeString(cfg, "TIERGATE_DB_URL=" + url + "\nTIERGATE_DB_USER=postgres\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ServerMain.run(
                new String[] {"audit", "verify", "--config", cfg.toString()},
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(3, code);
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("this store has no audit table"),
                err.toString(StandardCharsets.UTF_8));
        assertEquals(
                3,
                ServerMain.run(
                        new String[] {"audit", "export", "--config", cfg.toString()},
                        new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(new ByteArrayOutputStream())));
        try (Connection c = DriverManager.getConnection(url, "postgres", null);
                Statement st = c.createStatement();
                var rs = st.executeQuery("select count(*) from pg_tables where schemaname = 'public'")) {
            rs.next();
            assertEquals(
                    0, rs.getInt(1), "no table (not even flyway_schema_history) may be created by verify or export");
        }
        // and the connections they use cannot write
        try (Database ro = Database.readOnlyAt(db.jdbcUrl(), "postgres", null);
                Connection c = ro.dataSource().getConnection();
                Statement st = c.createStatement()) {
            SQLException e = Assertions.assertThrows(SQLException.class, () -> st.execute("delete from audit"));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
        assertTrue(log.verify().isEmpty());
    }
}

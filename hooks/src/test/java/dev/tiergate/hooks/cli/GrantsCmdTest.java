package dev.tiergate.hooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tiergate grants} against a stand-in of the server's grants API, answering as the server does
 * (GrantsDriftTest in gate-server asserts those answers on the real server): the output, the exit codes and the
 * refusals a user meets.
 */
class GrantsCmdTest {
    static final String DRIFT = """
            {"repo":"acme/inv","branches":[{"db_branch":"staging","extra":[{"privilege":"PUBLIC SELECT on table public.orders",
            "fix":"revoke select on table \\"public\\".\\"orders\\" from public;"}],"missing":[]},
            {"db_branch":"production","extra":[],"missing":[]}]}""";
    HttpServer server;
    final List<String> asked = new ArrayList<>();
    String answer = DRIFT;
    int status = 200;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            asked.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " "
                    + ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    record Run(int exit, String out, String err) {}

    Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = TiergateCli.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Path token() throws Exception {
        return Files.writeString(tmp.resolve("token"), "admin-t0ken\n");
    }

    @Test
    void diffListsEachDifferenceWithItsFixAndExitsTwo() throws Exception {
        Run r = run("grants", "diff", "--server", url(), "--repo", "acme/inv", "--token-file", token().toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.out().contains("staging: 1 difference(s)"), r.out());
        assertTrue(
                r.out()
                        .contains(
                                "extra   PUBLIC SELECT on table public.orders    fix: revoke select on table \"public\".\"orders\" from public;"),
                r.out());
        assertTrue(r.out().contains("production: as the policy says"), r.out());
        assertEquals("GET /api/v1/repos/acme/inv/grants?forge=github Bearer admin-t0ken", asked.get(0));
    }

    @Test
    void applyRepairsOneTierThroughTheServer() throws Exception {
        answer = "{\"tier\":\"staging\",\"revoked\":[\"PUBLIC SELECT on table public.orders\"],\"granted\":[]}";
        Run r = run(
                "grants",
                "apply",
                "--tier",
                "staging",
                "--server",
                url(),
                "--repo",
                "acme/inv",
                "--token-file",
                token().toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("tier staging of acme/inv is as the policy says: revoked 1, granted 0"), r.out());
        assertEquals(
                "POST /api/v1/repos/acme/inv/grants/apply?forge=github&tier=staging Bearer admin-t0ken", asked.get(0));
    }

    @Test
    void withoutTheAdminTokenOrAServerItSaysWhatToDo() throws Exception {
        status = 401;
        answer = "{\"title\":\"the API needs Authorization: Bearer <TIERGATE_API_TOKEN>\"}";
        Run denied = run("grants", "diff", "--server", url(), "--repo", "acme/inv", "--token-file", token().toString());
        assertEquals(3, denied.exit());
        assertTrue(
                denied.err().contains("answered 401") && denied.err().contains("must be the server's admin token"),
                denied.err());
        Run down = run(
                "grants",
                "diff",
                "--server",
                "http://127.0.0.1:1",
                "--repo",
                "acme/inv",
                "--token-file",
                token().toString());
        assertEquals(3, down.exit());
        assertTrue(down.err().contains("does not answer") && down.err().contains("--server"), down.err());
    }
}

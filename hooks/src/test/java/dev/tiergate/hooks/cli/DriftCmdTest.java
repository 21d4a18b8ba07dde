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
 * {@code tiergate drift} against a stand-in of the server's drift API, answering as the server does (DriftTest in
 * gate-server asserts those answers, and their schema, on the real server): output, exit codes, refusals.
 */
class DriftCmdTest {
    static final String DRIFTED = """
            {"repo":"acme/inv","tiers":[{"tier":"staging","drifted":true,"on_drift":"hold","findings":[
            {"kind":"schema","what":"column public.orders.note","detail":"added by hand: text",
             "fix":"ALTER TABLE public.orders ADD COLUMN note text;"}]}]}""";
    HttpServer server;
    final List<String> asked = new ArrayList<>();
    String answer = DRIFTED;
    int status = 200;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            asked.add(ex.getRequestMethod() + " " + ex.getRequestURI());
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

    String[] target(String... more) throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "admin-t0ken\n");
        List<String> all = new ArrayList<>(List.of(more));
        all.addAll(List.of(
                "--server",
                "http://127.0.0.1:" + server.getAddress().getPort(),
                "--repo",
                "acme/inv",
                "--token-file",
                token.toString()));
        return all.toArray(String[]::new);
    }

    @Test
    void aDriftedTierIsListedWithItsDdlAndExitsTwo() throws Exception {
        Run r = run(target("drift", "--tier", "staging"));
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.out().contains("staging: 1 drift(s); on drift: hold"), r.out());
        assertTrue(r.out().contains("fix: ALTER TABLE public.orders ADD COLUMN note text;"), r.out());
        assertEquals(List.of("GET /api/v1/repos/acme/inv/drift?forge=github&tier=staging"), asked);
    }

    @Test
    void noDriftExitsZeroAndJsonIsTheServersAnswer() throws Exception {
        answer = "{\"repo\":\"acme/inv\",\"tiers\":[{\"tier\":\"staging\",\"drifted\":false,\"on_drift\":\"warn\","
                + "\"findings\":[]}]}";
        Run r = run(target("drift", "--all", "--json"));
        assertEquals(0, r.exit(), r.err());
        assertEquals(answer, r.out().strip());
    }

    @Test
    void acceptNeedsAReasonAndSaysWhatItAccepted() throws Exception {
        Run missing = run(target("drift", "accept", "--tier", "staging"));
        assertEquals(2, missing.exit(), "picocli's usage error");
        assertTrue(missing.err().contains("--reason"), missing.err());
        answer = "{\"tier\":\"staging\",\"drifted\":true,\"on_drift\":\"hold\",\"findings\":[{\"kind\":\"schema\","
                + "\"what\":\"index public.orders.orders_code\",\"detail\":\"made by hand\",\"fix\":\"CREATE INDEX\"}]}";
        Run r = run(target("drift", "accept", "--tier", "staging", "--reason", "kept: the DBA's index"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("1 drift(s) accepted as its baseline"), r.out());
        assertTrue(
                asked.get(asked.size() - 1)
                        .startsWith(
                                "POST /api/v1/repos/acme/inv/drift/accept?forge=github" + "&tier=staging&reason=kept"),
                asked.toString());
    }

    @Test
    void aServerThatRefusesIsSaidPlainlyAndExitsThree() throws Exception {
        status = 401;
        answer = "{\"error\":\"bad token\"}";
        Run r = run(target("drift"));
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("tiergate drift: http://127.0.0.1:"), r.err());
        assertTrue(
                r.err().contains("answered 401: bad token (TIERGATE_API_TOKEN must be the server's admin token)"),
                r.err());
    }

    /** Hostile: a name made on a tier holds an escape sequence; the terminal gets it as plain text. */
    @Test
    void anEscapeSequenceInANameNeverReachesTheTerminal() throws Exception {
        answer = DRIFTED.replace("public.orders.note", "public.orders.\\u001b[2J\\u001b]0;pwned\\u0007");
        Run r = run(target("drift"));
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.out().contains("column public.orders.?[2J?]0;pwned?"), r.out());
        assertTrue(r.out().chars().noneMatch(ch -> ch == 27 || ch == 7), "no control character was printed");
    }
}

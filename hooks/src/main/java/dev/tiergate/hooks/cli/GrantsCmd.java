package dev.tiergate.hooks.cli;

import static dev.tiergate.hooks.TerminalText.plain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.hooks.agent.ServerClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tiergate grants diff|apply}: the privileges of a repository's database branches against its policy's
 * {@code database_access}, asked of the running server (which reads the policy and the branches) with the admin token
 * (TIERGATE_API_TOKEN). diff exits 0 when nothing differs and 2 when something does, each difference with the statement
 * that mends it; apply repairs one tier (and releases a {@code drift: hold}), audited by the server.
 */
@Command(
        name = "grants",
        description = "Compare the database branches' privileges with the policy (diff), or repair a tier (apply).",
        subcommands = {GrantsCmd.Diff.class, GrantsCmd.Apply.class})
final class GrantsCmd {
    static final int OK = 0;
    static final int DIFFERS = 2;
    static final int FAILED = 3;

    /** Where the server is and which repository: the options both subcommands take. */
    abstract static class Target implements Callable<Integer> {
        @Option(
                names = "--server",
                description = "the tiergate server (default: TIERGATE_SERVER, else http://localhost:8080)")
        String server;

        @Option(names = "--repo", description = "OWNER/REPO (default: the origin remote of the current directory)")
        String repo;

        @Option(names = "--forge", defaultValue = "github", description = "github or gitlab (default: github)")
        String forge;

        @Option(
                names = "--token-file",
                description = "a file holding the admin token (default: TIERGATE_API_TOKEN; never on the command line)")
        Path tokenFile;

        @Spec
        CommandSpec spec;

        /** How the command names itself in its messages. */
        String who() {
            return "tiergate grants";
        }

        String base() {
            return new ServerClient(server != null ? server : System.getenv("TIERGATE_SERVER"), null).base();
        }

        String repository() {
            return repo != null ? repo : Doctor.originRepository(Path.of(".")).orElse(null);
        }

        /** The server's answer as JSON, or null after saying why (on stderr) it could not be had. */
        JsonNode call(String method, String pathAndQuery) {
            PrintWriter err = spec.commandLine().getErr();
            String token = System.getenv("TIERGATE_API_TOKEN");
            if (tokenFile != null) {
                try {
                    token = Files.readString(tokenFile, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    err.println(who() + ": cannot read --token-file " + tokenFile + ": " + e.getMessage());
                    return null;
                }
            }
            if (token == null || token.isBlank()) {
                err.println(who()
                        + ": TIERGATE_API_TOKEN is not set; set it (or --token-file) to the server's admin token");
                return null;
            }
            ServerClient client = new ServerClient(base(), token);
            try {
                Duration timeout = Duration.ofSeconds(60);
                ServerClient.Answer a =
                        method.equals("POST") ? client.post(pathAndQuery, timeout) : client.get(pathAndQuery, timeout);
                if (!a.ok()) {
                    err.println(who() + ": " + base() + " answered " + a.status() + ": " + a.error()
                            + (a.status() == 401 || a.status() == 403
                                    ? " (TIERGATE_API_TOKEN must be the server's admin token)"
                                    : ""));
                    return null;
                }
                return a.body();
            } catch (ServerClient.Unreachable e) {
                err.println(who() + ": " + e.getMessage());
                return null;
            }
        }

        String reposPath() {
            return "/api/v1/repos/" + repository();
        }

        boolean repoKnown() {
            if (repository() == null) {
                spec.commandLine()
                        .getErr()
                        .println(who() + ": no --repo, and the current directory has no origin remote of the form"
                                + " OWNER/REPO; pass --repo OWNER/REPO");
                return false;
            }
            return true;
        }
    }

    @Command(
            name = "diff",
            description =
                    "Each privilege that differs from the policy, with the statement that mends it (exit 2 when any).")
    static final class Diff extends Target {
        @Option(names = "--branch", description = "one database branch (default: every tier)")
        String branch;

        @Override
        public Integer call() {
            if (!repoKnown()) {
                return FAILED;
            }
            JsonNode r = call(
                    "GET",
                    reposPath() + "/grants?forge=" + forge
                            + (branch == null ? "" : "&branch=" + URLEncoder.encode(branch, StandardCharsets.UTF_8)));
            if (r == null) {
                return FAILED;
            }
            PrintWriter out = spec.commandLine().getOut();
            int differences = 0;
            for (JsonNode b : r.path("branches")) {
                int n = b.path("extra").size() + b.path("missing").size();
                differences += n;
                out.println(plain(b.path("db_branch").asText()) + ": "
                        + (n == 0 ? "as the policy says" : n + " difference(s)"));
                for (JsonNode x : b.path("extra")) {
                    out.println("  extra   " + plain(x.path("privilege").asText()) + "    fix: "
                            + plain(x.path("fix").asText()));
                }
                for (JsonNode x : b.path("missing")) {
                    out.println("  missing " + plain(x.path("privilege").asText()) + "    fix: "
                            + plain(x.path("fix").asText()));
                }
            }
            return differences == 0 ? OK : DIFFERS;
        }
    }

    @Command(
            name = "apply",
            description = "Make a tier's privileges what the policy says and release its drift hold (audited).")
    static final class Apply extends Target {
        @Option(names = "--tier", required = true, description = "the tier's name in the policy, e.g. staging")
        String tier;

        @Override
        public Integer call() {
            if (!repoKnown()) {
                return FAILED;
            }
            JsonNode r = call(
                    "POST",
                    reposPath() + "/grants/apply?forge=" + forge + "&tier="
                            + URLEncoder.encode(tier, StandardCharsets.UTF_8));
            if (r == null) {
                return FAILED;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("tier " + tier + " of " + repository() + " is as the policy says: revoked "
                    + r.path("revoked").size() + ", granted "
                    + r.path("granted").size());
            r.path("revoked").forEach(x -> out.println("  revoked " + x.asText()));
            r.path("granted").forEach(x -> out.println("  granted " + x.asText()));
            return OK;
        }
    }
}

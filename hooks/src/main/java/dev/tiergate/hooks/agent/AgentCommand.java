package dev.tiergate.hooks.agent;

import static dev.tiergate.hooks.TerminalText.plain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.core.agent.PrView;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.state.TiergateState;
import dev.tiergate.hooks.Main;
import dev.tiergate.hooks.Workspace;
import dev.tiergate.hooks.git.GitCommand;
import dev.tiergate.hooks.git.GitRepo;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What the agent commands ({@code pr}, {@code status}, {@code wait}, {@code next}, {@code merge}) share: the claim of
 * the checked-out branch, origin and its forge, the tiergate server, one exit-code set (0 ok, 1 no state, 2 refused,
 * 3 forge, backend or server failure, 4 time-out) and, with {@code --json}, one JSON document on standard output per
 * answer, an error included ({@code {"error": {"exit", "message", "rule"?, "fix"?}}},
 * state-schemas/schemas/cli-error.schema.json). Text goes to standard error when the output is JSON.
 */
abstract class AgentCommand implements Callable<Integer> {
    @Option(
            names = "--server",
            description = "the tiergate server (default: TIERGATE_SERVER, else http://localhost:8080)")
    String server;

    @Option(names = "--json", description = "one JSON document on standard output (see state-schemas/schemas/)")
    boolean json;

    @Spec
    CommandSpec spec;

    /** The environment the command reads (tokens, TIERGATE_SERVER, TIERGATE_FORGE). */
    Function<String, String> env = System::getenv;

    private Workspace workspace;

    /** A stop with its exit code and, for a refusal, the rule and the fix. */
    static final class Stop extends Exception {
        final int exit;
        final String rule;
        final String fix;

        Stop(int exit, String message, String rule, String fix) {
            super(message);
            this.exit = exit;
            this.rule = rule;
            this.fix = fix;
        }

        static Stop noState(String message, String fix) {
            return new Stop(Main.NO_STATE, message, null, fix);
        }

        static Stop refused(String message, String rule, String fix) {
            return new Stop(Main.REFUSED, message, rule, fix);
        }

        static Stop failed(String message) {
            return new Stop(Main.FAILED, message, null, null);
        }
    }

    abstract int run() throws Stop, IOException;

    /** The command's name in messages. */
    abstract String who();

    @Override
    public final Integer call() {
        try {
            return run();
        } catch (Stop s) {
            return stop(s);
        } catch (Workspace.Refused r) {
            return stop(Stop.refused(r.verdict().render(), null, null));
        } catch (IOException | RuntimeException e) {
            return stop(Stop.failed(String.valueOf(e.getMessage())));
        }
    }

    int stop(Stop s) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(who() + ": " + plain(s.getMessage()) + (s.rule == null ? "" : " [" + s.rule + "]"));
        if (s.fix != null) {
            err.println("  fix: " + plain(s.fix));
        }
        if (json) {
            ObjectNode e = JsonCalls.JSON.createObjectNode();
            ObjectNode inner = e.putObject("error");
            inner.put("exit", s.exit);
            inner.put("message", s.getMessage());
            if (s.rule != null) {
                inner.put("rule", s.rule);
            }
            if (s.fix != null) {
                inner.put("fix", s.fix);
            }
            printJson(e);
        }
        return s.exit;
    }

    void printJson(Object o) {
        PrintWriter out = spec.commandLine().getOut();
        try {
            out.println(JsonCalls.JSON.writeValueAsString(o));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    /** Progress and results for a person: standard output, or standard error when standard output is JSON. */
    PrintWriter text() {
        return json ? spec.commandLine().getErr() : spec.commandLine().getOut();
    }

    Workspace ws() throws IOException {
        if (workspace == null) {
            workspace = new Workspace(GitRepo.open(Path.of("").toAbsolutePath()));
        }
        return workspace;
    }

    String branch() throws IOException, Stop {
        return ws().git()
                .currentBranch()
                .orElseThrow(() -> Stop.refused(
                        "HEAD is detached; the agent commands work on a claimed branch",
                        null,
                        "git checkout <your claimed branch>"));
    }

    /** The claim of the checked-out branch (exit 1 when there is none). */
    Claim claim() throws IOException, Stop {
        String branch = branch();
        Optional<TiergateState> state = ws().state();
        return state.flatMap(s -> s.claimForBranch(branch))
                .orElseThrow(() -> Stop.noState(
                        "branch " + branch + " is not claimed in " + Workspace.STATE_PATH,
                        "tiergate claim <feature-id> --here (or check out a claimed branch)"));
    }

    ForgeAccess.Origin origin() throws IOException, Stop {
        String url;
        try {
            url = GitCommand.run(ws().top(), "remote", "get-url", "origin");
        } catch (IOException e) {
            throw Stop.refused(
                    "the repository has no origin remote", null, "git remote add origin <the forge's clone URL>");
        }
        return ForgeAccess.parse(url)
                .orElseThrow(() -> Stop.refused(
                        "origin (" + url.strip() + ") is not a forge repository's URL",
                        null,
                        "set origin to the GitHub or GitLab clone URL"));
    }

    String forgeName() throws IOException, Stop {
        try {
            return ForgeAccess.forgeOf(origin(), env);
        } catch (ForgeAccess.Unusable e) {
            throw Stop.refused(e.getMessage(), null, "set TIERGATE_FORGE");
        }
    }

    ForgeApi forge() throws IOException, Stop {
        try {
            return ForgeAccess.connect(ws().top(), origin(), forgeName(), env);
        } catch (ForgeAccess.Unusable e) {
            throw Stop.refused(e.getMessage(), null, null);
        }
    }

    ServerClient serverClient() {
        return ServerClient.fromEnvironment(server, env);
    }

    String reposPath() throws IOException, Stop {
        return "/api/v1/repos/" + origin().path();
    }

    /** The PR the server knows from {@code headBranch} (open first), or empty. */
    Optional<Long> prOf(String headBranch) throws IOException, Stop {
        ServerClient.Answer a = ask(
                serverClient(),
                "GET",
                reposPath() + "/pulls?forge=" + forgeName() + "&head="
                        + URLEncoder.encode(headBranch, StandardCharsets.UTF_8));
        JsonNode pulls = a.body().path("pulls");
        return pulls.isEmpty()
                ? Optional.empty()
                : Optional.of(pulls.get(0).path("number").asLong());
    }

    /** PR {@code n}'s view; with {@code since}, long-polled until it changes (exit 3 when the server cannot answer). */
    Optional<PrView> view(long n, String since) throws IOException, Stop {
        try {
            return viewOrUnreachable(n, since);
        } catch (ServerClient.Unreachable e) {
            throw Stop.failed(e.getMessage());
        }
    }

    Optional<PrView> viewOrUnreachable(long n, String since) throws IOException, Stop, ServerClient.Unreachable {
        String q = reposPath() + "/pulls/" + n + "?forge=" + forgeName()
                + (since == null ? "" : "&since=" + URLEncoder.encode(since, StandardCharsets.UTF_8) + "&wait=8");
        ServerClient.Answer a = serverClient().get(q, Duration.ofSeconds(30));
        if (a.status() == 404) {
            return Optional.empty();
        }
        refuseUnlessOk(a);
        return Optional.of(JsonCalls.JSON.treeToValue(a.body(), PrView.class));
    }

    ServerClient.Answer ask(ServerClient client, String method, String pathAndQuery) throws Stop {
        try {
            ServerClient.Answer a =
                    method.equals("GET") ? client.get(pathAndQuery, Duration.ofSeconds(30)) : client.post(pathAndQuery);
            refuseUnlessOk(a);
            return a;
        } catch (ServerClient.Unreachable e) {
            throw Stop.failed(e.getMessage());
        }
    }

    void refuseUnlessOk(ServerClient.Answer a) throws Stop {
        if (a.status() == 401 || a.status() == 403) {
            throw Stop.refused(
                    "the tiergate server refused the token (" + a.status() + "): " + a.error(),
                    null,
                    "set TIERGATE_TOKEN to your own token (tiergate token create --actor <you>, by the operator)");
        }
        if (!a.ok()) {
            throw Stop.refused("the tiergate server answered " + a.status() + ": " + a.error(), null, null);
        }
    }
}

package dev.tiergate.hooks.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.TiergateVersion;
import dev.tiergate.core.policy.Actor;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyValidator;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.hooks.Main;
import dev.tiergate.hooks.Workspace;
import dev.tiergate.hooks.git.GitCommand;
import dev.tiergate.hooks.git.GitRepo;
import dev.tiergate.hooks.install.HookInstaller;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tiergate doctor}: one line per check, {@code ok} or {@code problem} with the fix. Exit 0 when every check
 * is ok, 2 when one is a problem.
 */
@Command(
        name = "doctor",
        description =
                "Check this repository's tiergate setup (and, with --server, a gate server); each line ok or problem with its fix.")
final class Doctor implements Callable<Integer> {
    /** Made on first use: picocli builds every command object on each run, and a mapper costs start-up time. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    @Option(names = "--repo", description = "the repository (default: the current directory)")
    Path repo;

    @Option(
            names = "--server",
            description =
                    "a tiergate server to check, e.g. https://tiergate.example (uses TIERGATE_API_TOKEN when set)")
    String server;

    @Spec
    CommandSpec spec;

    private final List<String> lines = new ArrayList<>();
    private int problems;

    @Override
    public Integer call() {
        Path dir = repo == null ? Path.of("").toAbsolutePath() : repo.toAbsolutePath();
        checkGit(dir);
        if (inRepository(dir)) {
            checkRepository(dir);
        } else {
            ok("repository", dir + " is not in a git repository: repository checks skipped");
        }
        checkClassDataArchive();
        if (server != null) {
            checkServer(server.endsWith("/") ? server.substring(0, server.length() - 1) : server, dir);
        }
        PrintWriter out = spec.commandLine().getOut();
        lines.forEach(out::println);
        out.println(
                problems == 0
                        ? "tiergate doctor: every check is ok"
                        : "tiergate doctor: " + problems + " problem" + (problems == 1 ? "" : "s"));
        return problems == 0 ? Main.OK : Main.REFUSED;
    }

    private void ok(String check, String text) {
        lines.add("ok       " + check + ": " + text);
    }

    private void problem(String check, String text, String fix) {
        problems++;
        lines.add("problem  " + check + ": " + text);
        lines.add("         fix: " + fix);
    }

    private void checkGit(Path dir) {
        try {
            String v = GitCommand.run(
                    dir.toFile().isDirectory() ? dir : Path.of("").toAbsolutePath(), "--version");
            Matcher m = Pattern.compile("(\\d+)\\.(\\d+)").matcher(v);
            if (m.find()
                    && (Integer.parseInt(m.group(1)) > 2
                            || Integer.parseInt(m.group(1)) == 2 && Integer.parseInt(m.group(2)) >= 20)) {
                ok("git", v);
            } else {
                problem(
                        "git",
                        v + " is older than 2.20 (worktrees and core.hooksPath as tiergate uses them)",
                        "install a newer git");
            }
        } catch (IOException e) {
            problem("git", "git does not run: " + e.getMessage(), "install git and put it on PATH");
        }
    }

    private static boolean inRepository(Path dir) {
        try {
            GitCommand.run(dir, "rev-parse", "--git-dir");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void checkRepository(Path dir) {
        checkHooks(dir);
        Workspace ws;
        try {
            ws = new Workspace(GitRepo.open(dir));
        } catch (IOException e) {
            problem(
                    "repository",
                    "cannot open " + dir + ": " + e.getMessage(),
                    "run tiergate doctor inside a git work tree");
            return;
        }
        if (!ws.hasPolicy()) {
            problem(
                    "policy",
                    "no " + Policy.PATH + " in " + ws.top() + ": the hooks pass every commit silently",
                    "tiergate init");
            return;
        }
        Policy policy;
        try {
            // the working copy, as the user edits it (the next commit of it is judged the same way)
            Verdict v = PolicyValidator.validate(Files.readAllBytes(ws.top().resolve(Policy.PATH)), Policy.PATH);
            if (!v.isAllowed()) {
                problem(
                        "policy",
                        Policy.PATH + " does not validate:\n         "
                                + v.render().replace("\n", "\n         "),
                        "edit " + Policy.PATH + " as the messages say, then tiergate policy validate");
                return;
            }
            policy = ws.policy();
            ok("policy", Policy.PATH + " validates (" + policy.tiers().size() + " tiers)");
        } catch (IOException | RuntimeException e) {
            problem("policy", Policy.PATH + " cannot be read: " + e.getMessage(), "tiergate policy validate");
            return;
        }
        try {
            Optional<String> branch = ws.git().currentBranch();
            if (branch.isEmpty()) {
                ok("branch", "HEAD is detached: no branch to check");
            } else if (policy.tierForBranch(branch.get()).isPresent()) {
                ok(
                        "branch",
                        branch.get() + " is the tier "
                                + policy.tierForBranch(branch.get()).get().name());
            } else if (ws.claimFor(branch.get()).isPresent()) {
                var c = ws.claimFor(branch.get()).get();
                ok(
                        "branch",
                        branch.get() + " is claimed (" + c.featureId() + ", " + c.state() + ", by " + c.actorId()
                                + ")");
            } else {
                problem(
                        "branch",
                        branch.get() + " is neither a tier nor claimed: commits on it are refused [workflow.no-claim]",
                        "tiergate claim <feature-id> --here (or switch to a claimed branch)");
            }
        } catch (IOException e) {
            problem("branch", e.getMessage(), "check the repository with git status");
        }
        try {
            Actor actor = ws.actor(policy);
            var config = ws.index().config("tiergate.actor", "user.email");
            String source = System.getenv("TIERGATE_ACTOR") != null
                            && !System.getenv("TIERGATE_ACTOR").isBlank()
                    ? "TIERGATE_ACTOR"
                    : config.get("tiergate.actor") != null
                                    && !config.get("tiergate.actor").isBlank()
                            ? "git config tiergate.actor"
                            : config.get("user.email") != null
                                            && !config.get("user.email").isBlank()
                                    ? "git config user.email"
                                    : "the login name";
            ok("actor", actor.actorClass().wireName() + " " + actor.id() + " (from " + source + ")");
        } catch (IOException e) {
            problem("actor", e.getMessage(), "check git's config with git config --list --show-origin");
        }
    }

    private void checkHooks(Path dir) {
        Set<Path> hookDirs = new LinkedHashSet<>();
        List<String> worktrees = new ArrayList<>();
        try {
            for (String line :
                    GitCommand.run(dir, "worktree", "list", "--porcelain").split("\n")) {
                if (line.startsWith("worktree ")) {
                    worktrees.add(line.substring("worktree ".length()));
                }
            }
        } catch (IOException e) {
            worktrees.add(dir.toString());
        }
        for (String wt : worktrees) {
            Path w = Path.of(wt);
            if (!Files.isDirectory(w)) {
                continue;
            }
            try {
                hookDirs.add(HookInstaller.hooksDir(w));
            } catch (IOException e) {
                problem(
                        "hooks",
                        "cannot ask git where the hooks of " + w + " live: " + e.getMessage(),
                        "git worktree prune");
            }
        }
        String hooksPath = null;
        try {
            hooksPath = GitCommand.run(dir, "config", "--get", "core.hooksPath");
        } catch (IOException e) {
            // unset
        }
        if (hooksPath != null && !hooksPath.isBlank()) {
            try {
                Path defaults = HookInstaller.defaultHooksDir(dir);
                Path pre = defaults.resolve(HookInstaller.HOOKS.get(0));
                if (!hookDirs.contains(defaults) && Files.exists(pre) && HookInstaller.isOurs(pre)) {
                    problem(
                            "core.hooksPath",
                            "core.hooksPath=" + hooksPath + " sends git away from tiergate's hooks in " + defaults,
                            "tiergate install (it installs where core.hooksPath points and chains the other tool's hooks)");
                } else {
                    ok("core.hooksPath", hooksPath + " (tiergate installs there)");
                }
            } catch (IOException e) {
                problem("core.hooksPath", e.getMessage(), "git config --get core.hooksPath");
            }
        }
        Set<String> launchers = new LinkedHashSet<>();
        for (Path hd : hookDirs) {
            List<String> missing = new ArrayList<>();
            List<String> foreign = new ArrayList<>();
            for (String hook : HookInstaller.HOOKS) {
                Path h = hd.resolve(hook);
                try {
                    if (!Files.exists(h)) {
                        missing.add(hook);
                    } else if (!HookInstaller.isOurs(h)) {
                        foreign.add(hook);
                    } else {
                        HookInstaller.launcherIn(h).ifPresent(launchers::add);
                    }
                } catch (IOException e) {
                    missing.add(hook);
                }
            }
            String where = hd + (worktrees.size() > 1 ? " (serves " + worktrees.size() + " worktrees)" : "");
            if (!foreign.isEmpty()) {
                problem(
                        "hooks",
                        String.join(", ", foreign) + " in " + hd
                                + " is another tool's hook, not tiergate's, so tiergate's checks do not run",
                        "tiergate install (it keeps the other hook as <hook>.tiergate-chained and runs it first)");
            } else if (!missing.isEmpty()) {
                problem("hooks", String.join(", ", missing) + " not installed in " + where, "tiergate install");
            } else {
                ok("hooks", String.join(", ", HookInstaller.HOOKS) + " installed in " + where);
            }
        }
        for (String l : launchers) {
            if (Files.isExecutable(Path.of(l))) {
                ok("launcher", "the hooks call " + l + ", which exists");
            } else {
                problem(
                        "launcher",
                        "the hooks call " + l + ", which is missing or not executable, so they check nothing",
                        "install tiergate again (./install.sh), then run tiergate install with it");
            }
        }
    }

    /**
     * The hooks' start-up cache (made by install.sh for one JVM: an ahead-of-time cache on JDK 25+, an AppCDS archive
     * before) is only used by that JVM.
     */
    private void checkClassDataArchive() {
        String lib = System.getProperty("tiergate.lib");
        if (lib == null) {
            ok("class-data archive", "not run through install.sh's launcher: nothing to check");
            return;
        }
        Path cache = Path.of(lib, "hooks.aot");
        if (!Files.exists(cache)) {
            cache = Path.of(lib, "hooks.jsa");
        }
        if (!Files.exists(cache)) {
            problem(
                    "class-data archive",
                    Path.of(lib, "hooks.aot") + " and " + cache
                            + " are missing: every hook starts about twice as slowly",
                    "run ./install.sh again");
            return;
        }
        String javaNow = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String madeBy = null;
        try {
            madeBy = Files.readString(Path.of(cache + ".jvm")).strip();
        } catch (IOException e) {
            // older install: judged by whether sharing is on
        }
        // the JVM says "sharing" when it maps a CDS archive or an AOT cache (which is one)
        boolean sharing = System.getProperty("java.vm.info", "").contains("sharing");
        boolean sameJvm = madeBy == null
                || Path.of(madeBy)
                        .toAbsolutePath()
                        .normalize()
                        .equals(Path.of(javaNow).normalize())
                || resolvesTo(madeBy, javaNow);
        // install.sh makes a second one for the other commands (lint, check, pre-push): see StartupTraining
        Path cli = cache.resolveSibling(cache.getFileName().toString().replace("hooks.", "cli."));
        if (sharing && sameJvm && !Files.exists(cli)) {
            problem(
                    "class-data archive",
                    cli + " is missing: commands other than the commit hooks start about twice as slowly",
                    "run ./install.sh again");
        } else if (sharing && sameJvm) {
            ok(
                    "class-data archive",
                    cache + " and " + cli.getFileName() + " match this JVM (" + System.getProperty("java.vm.version")
                            + ")");
        } else {
            problem(
                    "class-data archive",
                    cache + " was made " + (madeBy == null ? "for another JVM" : "by " + madeBy)
                            + " and does not match this one (" + javaNow + ", " + System.getProperty("java.vm.version")
                            + "): hooks start without it",
                    "run ./install.sh again");
        }
    }

    private static boolean resolvesTo(String a, String b) {
        try {
            return Path.of(a).toRealPath().equals(Path.of(b).toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    private void checkServer(String base, Path dir) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> health = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/healthz"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (health.statusCode() != 200) {
                problem(
                        "server",
                        base + "/healthz answered " + health.statusCode() + ": " + health.body(),
                        "look at the server's log");
            } else {
                ok(
                        "server",
                        base + " answers (/healthz: "
                                + Json.MAPPER
                                        .readTree(health.body())
                                        .path("status")
                                        .asText() + ")");
            }
        } catch (IOException | InterruptedException | IllegalArgumentException e) {
            problem(
                    "server",
                    base + " does not answer: " + e.getMessage(),
                    "start it (tiergate server) or check the URL and the proxy in front of it");
            return;
        }
        String repoPath = originRepository(dir).orElse(null);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + "/api/v1/doctor"
                        + (repoPath == null ? "" : "?repo=" + URLEncoder.encode(repoPath, StandardCharsets.UTF_8))))
                .timeout(Duration.ofSeconds(60));
        String token = System.getenv("TIERGATE_API_TOKEN");
        if (token != null && !token.isBlank()) {
            req.header("Authorization", "Bearer " + token.strip());
        }
        JsonNode facts;
        try {
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 401) {
                problem(
                        "server",
                        "/api/v1/doctor needs the server's API token",
                        "set TIERGATE_API_TOKEN to the server's TIERGATE_API_TOKEN");
                return;
            }
            if (r.statusCode() == 403) { // a server with no API token keeps the doctor closed
                problem(
                        "server",
                        "/api/v1/doctor is closed: the server sets no TIERGATE_API_TOKEN",
                        "set TIERGATE_API_TOKEN on the server, restart it, and set the same TIERGATE_API_TOKEN here");
                return;
            }
            if (r.statusCode() != 200) {
                problem(
                        "server",
                        "/api/v1/doctor answered " + r.statusCode() + " (a server older than this tiergate?)",
                        "update the server");
                return;
            }
            facts = Json.MAPPER.readTree(r.body());
        } catch (IOException | InterruptedException e) {
            problem("server", "/api/v1/doctor failed: " + e.getMessage(), "look at the server's log");
            return;
        }
        String theirs = facts.path("version").asText();
        if (theirs.equals(TiergateVersion.current())) {
            ok("server version", theirs);
        } else {
            problem(
                    "server version",
                    "the server runs " + theirs + ", this command is " + TiergateVersion.current(),
                    "install the same version on both");
        }
        for (JsonNode c : facts.path("checks")) {
            if (c.path("ok").asBoolean()) {
                ok("server " + c.path("check").asText(), c.path("text").asText());
            } else {
                problem(
                        "server " + c.path("check").asText(),
                        c.path("text").asText(),
                        c.path("fix").asText());
            }
        }
    }

    /** owner/name of the origin remote, when it is one. */
    static Optional<String> originRepository(Path dir) {
        try {
            String url = GitCommand.run(dir, "remote", "get-url", "origin");
            Matcher m = Pattern.compile("[:/]([^/:]+/[^/]+?)(?:\\.git)?/?$").matcher(url);
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

package dev.tiergate.hooks.cli;

import dev.tiergate.core.TiergateVersion;
import dev.tiergate.core.migration.MigrationChecksums;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.Actor;
import dev.tiergate.core.policy.DefaultPolicy;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyValidator;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.policy.WorkingBranchType;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.state.TiergateState;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.hooks.Main;
import dev.tiergate.hooks.Workspace;
import dev.tiergate.hooks.agent.MergeCmd;
import dev.tiergate.hooks.agent.NextCmd;
import dev.tiergate.hooks.agent.PrCmd;
import dev.tiergate.hooks.agent.StatusCmd;
import dev.tiergate.hooks.agent.WaitCmd;
import dev.tiergate.hooks.check.RangeCheck;
import dev.tiergate.hooks.git.GitCommand;
import dev.tiergate.hooks.git.GitRepo;
import dev.tiergate.hooks.install.HookInstaller;
import java.io.File;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Every subcommand of {@code tiergate} except the hooks themselves. */
// scope INHERIT: every subcommand takes --help (and --version) too; `tiergate lint --help` used to say a FILE was
// missing
// The subcommands are added in run(), not listed here: picocli builds the model of every listed command by reflection
// on each start, about 50 ms of a lint's or a hook command's time; a run that names one needs only that one.
@Command(
        name = "tiergate",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT,
        versionProvider = TiergateCli.Version.class,
        description = "Git hooks and a merge gate for evolutionary database development.")
public final class TiergateCli {
    /** Every subcommand, in the order the help lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            Install.class,
            Uninstall.class,
            Init.class,
            ClaimCmd.class,
            Abandon.class,
            State.class,
            Check.class,
            PolicyCmd.class,
            LintCmd.class,
            Doctor.class,
            GrantsCmd.class,
            DriftCmd.class,
            PrCmd.class,
            StatusCmd.class,
            WaitCmd.class,
            NextCmd.class,
            MergeCmd.class,
            McpCmd.class,
            ServerCommands.Server.class,
            ServerCommands.Demo.class,
            ServerCommands.Audit.class,
            ServerCommands.Rollback.class,
            ServerCommands.ReleaseTier.class,
            ServerCommands.Token.class,
            Completion.class);

    /**
     * The command line for {@code args}: when the first argument names a subcommand, the tree holds only that one (its
     * own subcommands included); otherwise (no arguments, an option such as --help, a misspelt name) every subcommand,
     * so the help lists them all and picocli's "did you mean" suggestions see them.
     */
    static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new TiergateCli());
        String first = args.length == 0 ? "" : args[0];
        Class<?> named = null;
        for (Class<?> c : SUBCOMMANDS) {
            if (c.getAnnotation(Command.class).name().equals(first)) {
                named = c;
            }
        }
        for (Class<?> c : SUBCOMMANDS) {
            if (named == null || c == named) {
                cl.addSubcommand(c);
            }
        }
        return cl;
    }

    /** {@code tiergate --version}: the Maven project version it was built from. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tiergate " + TiergateVersion.current()};
        }
    }

    @Command(
            name = "completion",
            description = "Print the shell completion script: tiergate completion bash|zsh (install.sh installs both).")
    static final class Completion implements Callable<Integer> {
        @Parameters(index = "0", description = "bash or zsh")
        String shell;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String bash = picocli.AutoComplete.bash("tiergate", commandLine());
            switch (shell) {
                case "bash" -> spec.commandLine().getOut().print(bash);
                // zsh runs picocli's script through bashcompinit; as a file in site-functions it is autoloaded on first
                // use
                case "zsh" ->
                    spec.commandLine()
                            .getOut()
                            .print("#compdef tiergate\nautoload -U +X bashcompinit && bashcompinit\n" + bash
                                    + "\n_complete_tiergate \"$@\"\n");
                default -> {
                    spec.commandLine()
                            .getErr()
                            .println("tiergate completion: '" + shell
                                    + "' is not a shell tiergate completes; use bash or zsh");
                    return Main.REFUSED;
                }
            }
            spec.commandLine().getOut().flush();
            return Main.OK;
        }
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = commandLine(args);
        cl.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        cl.setExecutionExceptionHandler((e, c, p) -> {
            if (e instanceof Workspace.Refused r) {
                c.getErr().println("tiergate: refused\n" + r.verdict().render());
                return Main.REFUSED;
            }
            c.getErr().println("tiergate " + c.getCommandName() + ": " + e.getMessage());
            return e instanceof IOException ? Main.FAILED : Main.REFUSED;
        });
        if (args.length == 0) {
            cl.usage(cl.getOut());
            return Main.OK;
        }
        if (!args[0].startsWith("-")
                && SUBCOMMANDS.stream()
                        .noneMatch(c -> c.getAnnotation(Command.class).name().equals(args[0]))) {
            // picocli answers `tiergate pr --help` with the top help and exit 0, as though pr existed: without the help
            // and version flags it refuses the unknown command (exit 2) with its suggestions
            String[] unknown = Arrays.stream(args)
                    .filter(a -> !List.of("-h", "--help", "-V", "--version").contains(a))
                    .toArray(String[]::new);
            return cl.execute(unknown);
        }
        return cl.execute(args);
    }

    static Workspace workspace(Path dir) throws IOException {
        return new Workspace(GitRepo.open(dir == null ? Path.of("").toAbsolutePath() : dir.toAbsolutePath()));
    }

    static int print(CommandSpec spec, Verdict v, String okText) {
        PrintWriter err = spec.commandLine().getErr();
        int warnings = v.warnings().size();
        String warningText = "tiergate: " + warnings + " warning" + (warnings == 1 ? "" : "s")
                + " (rules the policy sets to 'warning' in .tiergate/policy.yaml)\n" + v.renderWarnings();
        if (v.isAllowed()) {
            spec.commandLine()
                    .getOut()
                    .println(okText
                            + (warnings == 0 ? "" : " (" + warnings + " warning" + (warnings == 1 ? "" : "s") + ")"));
            if (warnings > 0) {
                err.println(warningText);
            }
            return Main.OK;
        }
        err.println("tiergate: refused (" + v.refusals().size() + " rule(s) broken)\n" + v.render());
        if (warnings > 0) {
            err.println(warningText);
        }
        return Main.REFUSED;
    }

    @Command(name = "install", description = "Install the hooks (pre-commit, commit-msg, pre-push) into a repository.")
    static final class Install implements Callable<Integer> {
        @Option(names = "--repo", description = "the repository (default: the current directory)")
        Path repo;

        @Option(
                names = "--launcher",
                description =
                        "the tiergate command the hooks run (default: the one running this install, else $TIERGATE_LAUNCHER, else tiergate on PATH)")
        String launcher;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Path dir = repo == null ? Path.of("").toAbsolutePath() : repo.toAbsolutePath();
            String l = launcherThatRuns(launcher)
                    .orElseThrow(() -> new Workspace.Refused(Verdict.refused(
                            Rule.INSTALL_LAUNCHER.id(),
                            "tiergate install",
                            "cannot tell which tiergate command is running, so the hooks would call a guess",
                            "run 'tiergate install' through the tiergate command install.sh wrote, or name it: tiergate install"
                                    + " --launcher /path/to/tiergate")));
            for (String line : HookInstaller.install(dir, l)) {
                spec.commandLine().getOut().println(line);
            }
            return Main.OK;
        }

        /**
         * The command the hooks are to run: {@code --launcher}, else the launcher script that started this JVM (it
         * passes its own path as {@code -Dtiergate.launcher}), else {@code $TIERGATE_LAUNCHER}, else tiergate on PATH.
         * Never a guessed path: a hook calling a command that does not exist would check nothing.
         */
        static Optional<String> launcherThatRuns(String option) {
            for (String candidate :
                    new String[] {option, System.getProperty("tiergate.launcher"), System.getenv("TIERGATE_LAUNCHER")
                    }) {
                if (candidate != null && !candidate.isBlank()) {
                    return Optional.of(
                            Path.of(candidate).toAbsolutePath().normalize().toString());
                }
            }
            return whichTiergate();
        }

        private static Optional<String> whichTiergate() {
            String path = System.getenv("PATH");
            if (path == null) {
                return Optional.empty();
            }
            for (String d : path.split(File.pathSeparator)) {
                Path p = Path.of(d, "tiergate");
                if (Files.isExecutable(p)) {
                    return Optional.of(p.toAbsolutePath().toString());
                }
            }
            return Optional.empty();
        }
    }

    @Command(name = "uninstall", description = "Remove tiergate's hooks and restore the hooks that were there before.")
    static final class Uninstall implements Callable<Integer> {
        @Option(names = "--repo")
        Path repo;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            for (String line :
                    HookInstaller.uninstall(repo == null ? Path.of("").toAbsolutePath() : repo.toAbsolutePath())) {
                spec.commandLine().getOut().println(line);
            }
            return Main.OK;
        }
    }

    @Command(
            name = "init",
            description =
                    "Write and commit .tiergate/policy.yaml (production = default branch <- staging) and create missing tier branches from it.")
    static final class Init implements Callable<Integer> {
        @Option(
                names = "--no-commit",
                description = "write the policy but do not commit it (tier branches are then created without it)")
        boolean noCommit;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Workspace ws = workspace(null);
            Path policyFile = ws.top().resolve(Policy.PATH);
            String defaultBranch = ws.git().defaultBranchGuess().orElse("main");
            PrintWriter out = spec.commandLine().getOut();
            if (Files.exists(policyFile)) {
                out.println(Policy.PATH + " exists; left as it is");
            } else {
                List<String> toCommit = new ArrayList<>(List.of(Policy.PATH));
                Path kitFile = ws.top().resolve(StateFileValidator.KIT_STATE_PATH);
                if (Files.exists(kitFile)) {
                    KitAdoption adopted = KitAdoption.of(ws, Files.readAllBytes(kitFile), defaultBranch);
                    Files.createDirectories(policyFile.getParent());
                    Files.writeString(policyFile, adopted.policyYaml(), StandardCharsets.UTF_8);
                    adopted.describe().forEach(out::println);
                    if (adopted.baseline() != null) {
                        Files.writeString(
                                ws.top().resolve(MigrationChecksums.PATH),
                                adopted.baseline().render(),
                                StandardCharsets.UTF_8);
                        toCommit.add(MigrationChecksums.PATH);
                    }
                } else {
                    Files.createDirectories(policyFile.getParent());
                    Files.writeString(policyFile, DefaultPolicy.yaml(defaultBranch), StandardCharsets.UTF_8);
                    out.println("wrote " + Policy.PATH + " (production = " + defaultBranch + " <- staging)");
                }
                if (!noCommit) {
                    // tier branches are cut from this commit, so every branch made from them carries the policy
                    List<String> add = new ArrayList<>(List.of("add", "--"));
                    add.addAll(toCommit);
                    GitCommand.run(ws.top(), add.toArray(String[]::new));
                    List<String> commit = new ArrayList<>(List.of("commit", "-q", "-m", "tiergate: add policy", "--"));
                    commit.addAll(toCommit);
                    GitCommand.run(ws.top(), commit.toArray(String[]::new));
                    out.println("committed " + String.join(" and ", toCommit) + " on "
                            + ws.git().currentBranch().orElse("HEAD"));
                }
            }
            Policy policy = ws.policy();
            for (Tier t : policy.tiers()) {
                if (ws.git().resolve("refs/heads/" + t.branch()).isEmpty()) {
                    String from = t.parent() == null
                            ? "HEAD"
                            : policy.tier(t.parent()).map(Tier::branch).orElse("HEAD");
                    GitCommand.run(ws.top(), "branch", t.branch(), from);
                    out.println("created tier branch " + t.branch() + " from " + from);
                }
            }
            Path exclude = ws.git().gitDir().resolve("info/exclude");
            Path common = Path.of(GitCommand.run(ws.top(), "rev-parse", "--git-common-dir"));
            exclude = (common.isAbsolute() ? common : ws.top().resolve(common)).resolve("info/exclude");
            Files.createDirectories(exclude.getParent());
            String current = Files.exists(exclude) ? Files.readString(exclude) : "";
            if (!current.contains(Workspace.STATE_PATH)) {
                Files.writeString(
                        exclude,
                        current + (current.isEmpty() || current.endsWith("\n") ? "" : "\n") + "/" + Workspace.STATE_PATH
                                + "\n");
                out.println("added " + Workspace.STATE_PATH + " to " + exclude + " (it is per worktree and untracked)");
            }
            out.println("next: tiergate claim <feature-id>");
            return Main.OK;
        }
    }

    @Command(name = "claim", description = "Create a working branch from its tier and record the claim.")
    static final class ClaimCmd implements Callable<Integer> {
        @Parameters(index = "0", description = "feature id, e.g. F1-split-inventory")
        String featureId;

        @Option(
                names = "--type",
                defaultValue = "feature",
                description = "working-branch type from the policy (default: feature)")
        String type;

        @Option(
                names = "--actor",
                description = "who claims (default: TIERGATE_ACTOR, git config tiergate.actor, user.email)")
        String actorId;

        @Option(names = "--here", description = "claim the branch that is checked out instead of creating one")
        boolean here;

        @Option(
                names = "--supersedes",
                split = ",",
                description = "test files this feature may delete (allowlist for agents)")
        List<String> supersedes;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Workspace ws = workspace(null);
            Policy policy = ws.policy();
            Optional<WorkingBranchType> t = policy.workingBranchTypes().stream()
                    .filter(x -> x.name().equals(type))
                    .findFirst();
            if (t.isEmpty()) {
                throw new Workspace.Refused(Verdict.refused(
                        Rule.CLAIM_TYPE.id(),
                        Policy.PATH,
                        "no working-branch type '" + type + "' in the policy",
                        "use one of: "
                                + policy.workingBranchTypes().stream()
                                        .map(WorkingBranchType::name)
                                        .toList()));
            }
            Tier target = policy.tier(t.get().target()).orElseThrow();
            String branch = here
                    ? ws.git().currentBranch().orElseThrow(() -> new IOException("HEAD is detached"))
                    : t.get().branchFor(featureId);
            Actor actor = actorId == null ? ws.actor(policy) : policy.actorFor(actorId, false);
            if (!t.get().actors().contains(actor.actorClass())) {
                throw new Workspace.Refused(Verdict.refused(
                        Rule.CLAIM_ACTOR.id(),
                        "branch " + branch,
                        actor.actorClass().wireName() + " " + actor.id() + " may not claim " + type + " branches",
                        "ask a "
                                + t.get().actors().stream()
                                        .map(c -> c.wireName())
                                        .sorted()
                                        .toList() + " to claim it"));
            }
            TiergateState state =
                    ws.state().orElse(TiergateState.empty(ws.top().getFileName().toString()));
            Optional<Claim> existing = state.claimForBranch(branch);
            if (existing.isPresent() && existing.get().state() != WorkflowState.MERGED) {
                throw new Workspace.Refused(Verdict.refused(
                        Rule.CLAIM_EXISTS.id(),
                        "branch " + branch,
                        branch + " is already claimed by " + existing.get().actorId() + " ("
                                + existing.get().state() + ")",
                        "work on it, or tiergate abandon it first"));
            }
            if (!here) {
                if (ws.git().resolve("refs/heads/" + branch).isPresent()) {
                    GitCommand.run(ws.top(), "checkout", branch);
                } else {
                    String from = ws.git()
                            .firstExisting("refs/heads/" + target.branch(), "refs/remotes/origin/" + target.branch())
                            .orElseThrow(() -> new IOException(
                                    "tier branch " + target.branch() + " does not exist; run tiergate init"));
                    GitCommand.run(ws.top(), "checkout", "-b", branch, from);
                }
            }
            Claim claim = Claim.claimed(
                    featureId,
                    branch,
                    target.branch(),
                    DbBranchName.of(policy, branch),
                    actor.id(),
                    actor.actorClass(),
                    Instant.now());
            if (supersedes != null) {
                claim = claim.withSupersededTests(supersedes);
            }
            ws.writeState(state.with(claim));
            spec.commandLine()
                    .getOut()
                    .println("claimed " + featureId + ": branch " + branch + " from " + target.branch()
                            + ", database branch " + claim.dbBranch() + ", "
                            + actor.actorClass().wireName() + " " + actor.id());
            return Main.OK;
        }
    }

    @Command(
            name = "abandon",
            description = "Give up the claim of the checked-out branch (feature-claimed -> scaffold-complete).")
    static final class Abandon implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Workspace ws = workspace(null);
            String branch = ws.git().currentBranch().orElseThrow(() -> new IOException("HEAD is detached"));
            Optional<TiergateState> state = ws.state();
            Optional<Claim> claim = state.flatMap(s -> s.claimForBranch(branch));
            if (claim.isEmpty()) {
                spec.commandLine().getErr().println("tiergate: no claim for " + branch + " in " + Workspace.STATE_PATH);
                return Main.NO_STATE;
            }
            if (claim.get().state() != WorkflowState.FEATURE_CLAIMED) {
                throw new Workspace.Refused(Verdict.refused(
                        Rule.WORKFLOW_ABANDON.id(),
                        "branch " + branch,
                        "only a feature-claimed branch can be abandoned; " + branch + " is "
                                + claim.get().state(),
                        "close its pull request first"));
            }
            ws.writeState(state.get().without(branch));
            spec.commandLine()
                    .getOut()
                    .println("abandoned " + claim.get().featureId() + " (" + branch + "): scaffold-complete");
            return Main.OK;
        }
    }

    @Command(name = "state", description = "Show the features in flight (exit 1 when there is no state).")
    static final class State implements Callable<Integer> {
        @Option(names = "--json")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Workspace ws = workspace(null);
            Optional<TiergateState> state = ws.state();
            PrintWriter out = spec.commandLine().getOut();
            if (state.isEmpty()) {
                spec.commandLine()
                        .getErr()
                        .println(
                                "tiergate: no state in " + Workspace.STATE_PATH + "; fix: tiergate claim <feature-id>");
                return Main.NO_STATE;
            }
            if (json) {
                out.print(new String(state.get().toJson(), StandardCharsets.UTF_8));
                out.flush();
                return Main.OK;
            }
            for (Claim c : state.get().features()) {
                out.println(c.featureId() + "  " + c.state() + "  " + c.branch() + " -> " + c.parentBranch() + "  db "
                        + c.dbBranch() + "  "
                        + (c.actorClass() == null ? "" : c.actorClass().wireName() + " ") + c.actorId());
            }
            return Main.OK;
        }
    }

    @Command(name = "check", description = "Run every rule over a commit range (for CI).")
    static final class Check implements Callable<Integer> {
        @Option(names = "--base", description = "first commit not to check (default: the branch's target tier)")
        String base;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Workspace ws = workspace(null);
            if (!ws.hasPolicy()) {
                spec.commandLine().getOut().println("no " + Policy.PATH + ": nothing to check");
                return Main.OK;
            }
            return print(spec, new RangeCheck(ws).run(base), "tiergate check: every rule holds");
        }
    }

    @Command(
            name = "policy",
            description = "Policy commands.",
            subcommands = {PolicyValidate.class})
    static final class PolicyCmd {}

    @Command(name = "validate", description = "Validate a policy file (default .tiergate/policy.yaml).")
    static final class PolicyValidate implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1")
        Path file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Path f = file == null ? Path.of(Policy.PATH) : file;
            if (!Files.exists(f)) {
                spec.commandLine().getErr().println("tiergate: " + f + " does not exist; fix: tiergate init");
                return Main.NO_STATE;
            }
            return print(spec, PolicyValidator.validate(Files.readAllBytes(f), f.toString()), f + ": valid");
        }
    }
}

package dev.tiergate.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.hooks.GitSandbox.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tiergate doctor in real repositories: each check ok, or problem with its fix. */
class DoctorTest {
    @TempDir
    Path tmp;

    @Test
    void aSetUpRepositoryIsOkLineByLine() throws Exception {
        GitSandbox g = new GitSandbox(tmp).initialised();
        Result r = g.tiergate("doctor");
        assertEquals(0, r.exit(), r.all());
        String out = r.out();
        assertTrue(out.matches("(?s)ok {7}git: git version \\d+\\.\\d+.*"), out);
        assertTrue(
                out.contains("ok       hooks: pre-commit, commit-msg, pre-push installed in "
                        + g.repo.resolve(".git/hooks")),
                out);
        assertTrue(out.contains("ok       launcher: the hooks call " + g.launcher + ", which exists"), out);
        assertTrue(out.contains("ok       policy: .tiergate/policy.yaml validates (2 tiers)"), out);
        assertTrue(out.contains("ok       branch: main is the tier production"), out);
        assertTrue(out.contains("ok       actor: human alice@example.com (from git config user.email)"), out);
        assertTrue(out.contains("ok       class-data archive: not run through install.sh's launcher"), out);
        assertTrue(out.endsWith("tiergate doctor: every check is ok\n"), out);
    }

    /** install.sh makes two start-up caches (the commit hooks', the other commands'); a missing one is named. */
    @Test
    void bothStartUpCachesAreCheckedAndAMissingOneIsNamed() throws Exception {
        GitSandbox g = new GitSandbox(tmp).initialised();
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        Files.writeString(lib.resolve("hooks.jsa"), "archive");
        Files.writeString(lib.resolve("hooks.jsa.jvm"), Path.of(System.getProperty("java.home"), "bin", "java") + "\n");
        g.setEnv("JAVA_TOOL_OPTIONS", "-Dtiergate.lib=" + lib);
        Result r = g.tiergate("doctor");
        assertEquals(2, r.exit(), r.all());
        assertTrue(
                r.out()
                        .contains(
                                "problem  class-data archive: " + lib.resolve("cli.jsa")
                                        + " is missing: commands other than the commit hooks start about twice as slowly\n         fix: run ./install.sh again"),
                r.out());
        Files.writeString(lib.resolve("cli.jsa"), "archive");
        r = g.tiergate("doctor");
        assertEquals(0, r.exit(), r.all());
        assertTrue(
                r.out()
                        .contains("ok       class-data archive: " + lib.resolve("hooks.jsa")
                                + " and cli.jsa match this JVM ("),
                r.out());
    }

    @Test
    void eachProblemIsNamedWithItsFix() throws Exception {
        GitSandbox g = new GitSandbox(tmp).initialised();
        Path prePush = g.repo.resolve(".git/hooks/pre-push");
        Files.writeString(prePush, "#!/bin/sh\nexit 0\n"); // another tool took pre-push over
        Files.setPosixFilePermissions(prePush, PosixFilePermissions.fromString("rwxr-xr-x"));
        g.ok(g.repo, "git", "checkout", "-q", "-b", "feature/unclaimed");
        g.setEnv("TIERGATE_ACTOR", "claude-agent");
        Result r = g.tiergate("doctor");
        assertEquals(2, r.exit(), r.all());
        String out = r.out();
        assertTrue(
                out.contains(
                        "problem  hooks: pre-push in " + g.repo.resolve(".git/hooks")
                                + " is another tool's hook, not tiergate's,"
                                + " so tiergate's checks do not run\n         fix: tiergate install (it keeps the other hook as <hook>.tiergate-chained and runs it first)"),
                out);
        assertTrue(
                out.contains(
                        "problem  branch: feature/unclaimed is neither a tier nor claimed: commits on it are refused [workflow.no-claim]\n"
                                + "         fix: tiergate claim <feature-id> --here"),
                out);
        assertTrue(out.contains("ok       actor: human claude-agent (from TIERGATE_ACTOR)"), out);
        assertTrue(out.endsWith("tiergate doctor: 2 problems\n"), out);
    }

    @Test
    void aMissingLauncherAnInvalidPolicyAndEveryWorktreeAreChecked() throws Exception {
        GitSandbox g = new GitSandbox(tmp).initialised();
        g.ok(g.repo, "git", "worktree", "add", "-q", tmp.resolve("second").toString(), "-b", "feature/second");
        Path gone = tmp.resolve("gone/tiergate");
        g.ok(g.repo, "tiergate", "install", "--launcher", gone.toString());
        g.write(
                ".tiergate/policy.yaml",
                "version: 1\ntiers:\n  - {name: production, branch: main}\n  - {name: staging, branch: staging, parent: prod}\n");
        Result r = g.run(tmp.resolve("second"), g.launcher.toString(), "doctor", "--repo", g.repo.toString());
        assertEquals(2, r.exit(), r.all());
        String out = r.out();
        assertTrue(
                out.contains("ok       hooks: pre-commit, commit-msg, pre-push installed in "
                        + g.repo.resolve(".git/hooks") + " (serves 2 worktrees)"),
                out);
        assertTrue(
                out.contains("problem  launcher: the hooks call " + gone
                        + ", which is missing or not executable, so they check nothing\n"
                        + "         fix: install tiergate again (./install.sh), then run tiergate install with it"),
                out);
        assertTrue(out.contains("problem  policy: .tiergate/policy.yaml does not validate:"), out);
        assertTrue(out.contains("[policy.tiers.parent-exists]"), out);
    }

    @Test
    void aServerThatDoesNotAnswerIsAProblem() throws Exception {
        GitSandbox g = new GitSandbox(tmp).initialised();
        Result r = g.tiergate("doctor", "--server", "http://127.0.0.1:9");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.out().contains("problem  server: http://127.0.0.1:9 does not answer"), r.out());
        assertTrue(r.out().contains("fix: start it (tiergate server) or check the URL"), r.out());
    }

    @Test
    void versionAndCompletion() throws Exception {
        GitSandbox g = new GitSandbox(tmp);
        Result v = g.run(tmp, g.launcher.toString(), "--version");
        assertEquals(0, v.exit(), v.all());
        assertTrue(v.out().matches("tiergate \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n"), v.out());
        Result bash = g.run(tmp, g.launcher.toString(), "completion", "bash");
        assertEquals(0, bash.exit(), bash.all());
        assertTrue(
                bash.out().contains("complete -F _complete_tiergate")
                        && bash.out().contains("doctor")
                        && bash.out().contains("--no-wait"),
                bash.out());
        Result bad = g.run(tmp, g.launcher.toString(), "completion", "fish");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("'fish' is not a shell tiergate completes; use bash or zsh"), bad.err());
    }
}

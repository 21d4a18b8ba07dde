package dev.tiergate.hooks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real git repository in a temporary folder, driven by the real {@code git} binary with the hooks installed,
 * isolated from the user's git configuration. The hooks run tiergate from the test classpath.
 */
public final class GitSandbox {
    public final Path root;
    public final Path repo;
    public final Path launcher;
    private final Map<String, String> env = new HashMap<>();

    public record Result(int exit, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    public GitSandbox(Path root) throws IOException {
        this.root = root;
        this.repo = root.resolve("repo");
        Files.createDirectories(repo);
        Path home = root.resolve("home");
        Files.createDirectories(home);
        env.put("HOME", home.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", home.resolve(".gitconfig").toString());
        env.put("TIERGATE_ACTOR", "");
        this.launcher = writeLauncher(root);
        env.put("TIERGATE_LAUNCHER", launcher.toString());
    }

    static Path writeLauncher(Path dir) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path l = dir.resolve("tiergate");
        // like install.sh's launcher: it tells the JVM its own path, which 'tiergate install' bakes into the hooks
        Files.writeString(
                l,
                "#!/bin/sh\ncase $0 in /*) self=$0 ;; *) self=$PWD/$0 ;; esac\nexec '"
                        + Path.of(System.getProperty("java.home"), "bin", "java")
                        + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dtiergate.launcher=\"$self\" -cp '" + cp
                        + "' dev.tiergate.hooks.Main \"$@\"\n");
        Files.setPosixFilePermissions(l, PosixFilePermissions.fromString("rwxr-xr-x"));
        return l;
    }

    /** git init, identity, one commit on main, hooks installed, policy committed, tier branches made. */
    public GitSandbox initialised() throws IOException {
        ok(repo, "git", "init", "-q", "-b", "main");
        ok(repo, "git", "config", "user.name", "Alice");
        ok(repo, "git", "config", "user.email", "alice@example.com");
        write("README.md", "# inventory\n");
        ok(repo, "git", "add", "-A");
        ok(repo, "git", "commit", "-q", "-m", "initial");
        ok(repo, "tiergate", "install");
        ok(repo, "tiergate", "init");
        return this;
    }

    public void setEnv(String k, String v) {
        env.put(k, v);
    }

    public void write(String path, String content) throws IOException {
        Path p = repo.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
    }

    public String read(String path) throws IOException {
        return Files.readString(repo.resolve(path), StandardCharsets.UTF_8);
    }

    /** {@code git add -A && git commit -m msg}; the result of the commit. */
    public Result commit(String msg) throws IOException {
        ok(repo, "git", "add", "-A");
        return run(repo, "git", "commit", "-q", "-m", msg);
    }

    public Result commitNoVerify(String msg) throws IOException {
        ok(repo, "git", "add", "-A");
        return ok(repo, "git", "commit", "-q", "--no-verify", "-m", msg);
    }

    public Result git(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        return run(repo, cmd.toArray(String[]::new));
    }

    public Result tiergate(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        return run(repo, cmd.toArray(String[]::new));
    }

    public Result ok(Path dir, String... cmd) throws IOException {
        Result r = run(dir, cmd);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed (" + r.exit() + "): " + r.all());
        }
        return r;
    }

    public Result run(Path dir, String... cmd) throws IOException {
        List<String> c = new ArrayList<>(List.of(cmd));
        if (c.get(0).equals("tiergate")) {
            c.set(0, launcher.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(c).directory(dir.toFile());
        pb.environment().putAll(env);
        pb.environment().remove("GIT_DIR");
        pb.environment().remove("GIT_INDEX_FILE");
        Path outFile = Files.createTempFile(root, "out", ".txt");
        Path errFile = Files.createTempFile(root, "err", ".txt");
        pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        try {
            int code = p.waitFor();
            return new Result(code, Files.readString(outFile), Files.readString(errFile));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public static final String HEADER_EXPAND = "-- refactoring: Add Column\n-- phase: expand\n";
}

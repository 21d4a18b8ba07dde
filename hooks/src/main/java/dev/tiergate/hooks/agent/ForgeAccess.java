package dev.tiergate.hooks.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which forge {@code origin} is, where its API is, and the caller's token for it: from the environment as the forges'
 * own CLIs read it (GitHub {@code GH_TOKEN}, {@code GITHUB_TOKEN}, {@code GITHUB_API_URL}; GitLab {@code GITLAB_TOKEN},
 * {@code CI_API_V4_URL}), else from git's credential helper for origin's host (what {@code git push} uses). The token
 * is never printed.
 */
public final class ForgeAccess {
    private static final Pattern URL = Pattern.compile("(https?|ssh|git)://(?:[^@/]+@)?([^/:]+)(?::(\\d+))?/(.+)");
    private static final Pattern SCP = Pattern.compile("(?:[^@/]+@)?([^/:]+):(.+)");

    /** Where origin is: its scheme (https for ssh and scp forms), host, port (-1: default) and repository path. */
    public record Origin(String scheme, String host, int port, String path) {
        String hostAndPort() {
            return port < 0 ? host : host + ":" + port;
        }
    }

    /** A setting that is missing or wrong: exit 2 with the fix. */
    public static final class Unusable extends Exception {
        public Unusable(String message) {
            super(message);
        }
    }

    private ForgeAccess() {}

    public static Optional<Origin> parse(String url) {
        String u = url.strip();
        Matcher m = URL.matcher(u);
        String host;
        int port = -1;
        String path;
        String scheme;
        if (m.matches()) {
            scheme = m.group(1).startsWith("http") ? m.group(1) : "https";
            host = m.group(2);
            port = m.group(3) == null || !scheme.startsWith("http") ? -1 : Integer.parseInt(m.group(3));
            path = m.group(4);
        } else {
            Matcher s = SCP.matcher(u);
            if (!s.matches() || u.startsWith("/") || u.startsWith(".")) {
                return Optional.empty();
            }
            scheme = "https";
            host = s.group(1);
            path = s.group(2);
        }
        path = path.replaceAll("/+$", "");
        if (path.endsWith(".git")) {
            path = path.substring(0, path.length() - 4);
        }
        if (!path.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+") || path.contains("..")) {
            return Optional.empty();
        }
        return Optional.of(new Origin(scheme, host, port, path));
    }

    /** github or gitlab: TIERGATE_FORGE when set, else told by origin's host. */
    public static String forgeOf(Origin o, Function<String, String> env) throws Unusable {
        String set = env.apply("TIERGATE_FORGE");
        if (set != null && !set.isBlank()) {
            String f = set.strip().toLowerCase(Locale.ROOT);
            if (!f.equals("github") && !f.equals("gitlab")) {
                throw new Unusable("TIERGATE_FORGE is '" + set + "'; set it to github or gitlab");
            }
            return f;
        }
        String h = o.host().toLowerCase(Locale.ROOT);
        if (h.equals("github.com") || h.contains("github")) {
            return "github";
        }
        if (h.contains("gitlab")) {
            return "gitlab";
        }
        throw new Unusable("cannot tell which forge origin's host " + o.host()
                + " is; set TIERGATE_FORGE=github or TIERGATE_FORGE=gitlab");
    }

    /** The forge's API for origin with the caller's token. */
    public static ForgeApi connect(Path top, Origin o, String forge, Function<String, String> env) throws Unusable {
        if (forge.equals("github")) {
            String api = first(env, "GITHUB_API_URL");
            if (api == null) {
                api = o.host().equalsIgnoreCase("github.com")
                        ? "https://api.github.com"
                        : o.scheme() + "://" + o.hostAndPort() + "/api/v3";
            }
            String token = first(env, "GH_TOKEN", "GITHUB_TOKEN");
            if (token == null) {
                token = fromCredentialHelper(top, o)
                        .orElseThrow(() -> new Unusable("no GitHub token: set GH_TOKEN (or GITHUB_TOKEN), or store one"
                                + " with git's credential helper for " + o.host()));
            }
            return new GitHubApi(api, o.path(), token);
        }
        String api = first(env, "CI_API_V4_URL", "GITLAB_API_URL");
        if (api == null) {
            api = o.scheme() + "://" + o.hostAndPort() + "/api/v4";
        }
        String token = first(env, "GITLAB_TOKEN", "GL_TOKEN");
        if (token == null) {
            token = fromCredentialHelper(top, o)
                    .orElseThrow(() -> new Unusable("no GitLab token: set GITLAB_TOKEN, or store one with git's"
                            + " credential helper for " + o.host()));
        }
        return new GitLabApi(api, o.path(), token);
    }

    private static String first(Function<String, String> env, String... names) {
        for (String n : names) {
            String v = env.apply(n);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    /**
     * {@code git credential fill} for origin's host, never prompting (GIT_TERMINAL_PROMPT=0): the password of what the
     * helper has stored, or empty.
     */
    static Optional<String> fromCredentialHelper(Path top, Origin o) {
        ProcessBuilder pb = new ProcessBuilder("git", "credential", "fill").directory(top.toFile());
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        pb.environment().put("GCM_INTERACTIVE", "never");
        pb.environment().remove("GIT_ASKPASS");
        pb.environment().remove("SSH_ASKPASS");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(("protocol=" + o.scheme() + "\nhost=" + o.hostAndPort() + "\n\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return out.lines()
                    .filter(l -> l.startsWith("password="))
                    .map(l -> l.substring("password=".length()))
                    .filter(s -> !s.isEmpty())
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}

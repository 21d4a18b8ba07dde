package dev.tiergate.hooks.install;

/**
 * The hook scripts. POSIX sh, so they run wherever git runs hooks. The cheapest JVM is the one not started:
 * pre-commit decides in the shell whether anything staged concerns the database before starting Java.
 */
final class Shims {
    private Shims() {
    }

    static String shim(String hook, String launcher) {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/sh\n");
        s.append(HookInstaller.MARKER).append(": ").append(hook)
                .append(" (installed by 'tiergate install'; 'tiergate uninstall' restores what was here)\n");
        s.append("hook_dir=$(cd \"$(dirname \"$0\")\" && pwd)\n");
        boolean readsStdin = hook.equals("pre-push");
        if (readsStdin) {
            s.append("input=$(cat)\n");
        }
        s.append("if [ -x \"$hook_dir/").append(hook).append(HookInstaller.CHAINED).append("\" ]; then\n");
        if (readsStdin) {
            s.append("  printf '%s\\n' \"$input\" | \"$hook_dir/").append(hook).append(HookInstaller.CHAINED).append("\" \"$@\" || exit $?\n");
        } else {
            s.append("  \"$hook_dir/").append(hook).append(HookInstaller.CHAINED).append("\" \"$@\" || exit $?\n");
        }
        s.append("fi\n");
        s.append("top=$(git rev-parse --show-toplevel 2>/dev/null) || exit 0\n");
        s.append("[ -f \"$top/.tiergate/policy.yaml\" ] || exit 0\n");
        if (hook.equals("pre-commit")) {
            s.append("""
                    # trailers for commit-msg are handed over in a file; a stale one must not reach this commit
                    rm -f "$(git rev-parse --git-dir)/tiergate-trailers"
                    # fast path: a claimed branch whose staged paths do not concern the database needs no JVM
                    branch=$(git symbolic-ref --short -q HEAD)
                    state="$top/.tiergate/workflow-state.json"
                    if [ -n "$branch" ] && [ -f "$state" ] && grep -F -q "\\"branch\\" : \\"$branch\\"" "$state"; then
                      mdir=$(sed -n 's/^[[:space:]]*directory:[[:space:]]*["'"'"']\\{0,1\\}\\([^"'"'"' #]*\\).*/\\1/p' "$top/.tiergate/policy.yaml" | head -n 1)
                      [ -n "$mdir" ] || mdir=db/migration
                      if ! git diff --cached --name-only --no-renames | grep -q -e "^$mdir/" -e '^\\.tiergate/' -e '^\\.lakebase/' -e '\\.sql$' \\
                         && [ -z "$(git diff --cached --name-only --no-renames --diff-filter=D)" ]; then
                        exit 0
                      fi
                    fi
                    """);
        } else if (hook.equals("commit-msg")) {
            s.append("""
                    # pre-commit already judged the content and left the trailers; only a message that carries its own
                    # tiergate trailers needs the JVM, to check them against the content
                    handoff="$(git rev-parse --git-dir)/tiergate-trailers"
                    if ! grep -q '^Tiergate-' "$1"; then
                      if [ -f "$handoff" ]; then
                        while IFS= read -r trailer; do
                          [ -n "$trailer" ] && git interpret-trailers --in-place --trailer "$trailer" "$1"
                        done < "$handoff"
                        rm -f "$handoff"
                      fi
                      exit 0
                    fi
                    """);
        }
        s.append("launcher=\"${TIERGATE_LAUNCHER:-").append(launcher.replace("\"", "\\\"").replace("$", "\\$")).append("}\"\n");
        s.append("if [ ! -x \"$launcher\" ]; then\n");
        s.append("  launcher=$(command -v tiergate 2>/dev/null) || { echo \"tiergate: the tiergate command is not installed; ")
                .append(hook).append(" checks skipped (fix: run ./install.sh)\" >&2; exit 0; }\n");
        s.append("fi\n");
        if (readsStdin) {
            s.append("printf '%s\\n' \"$input\" | \"$launcher\" ").append(hook).append(" \"$@\"\n");
        } else {
            s.append("exec \"$launcher\" ").append(hook).append(" \"$@\"\n");
        }
        return s.toString();
    }
}

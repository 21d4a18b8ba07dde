package dev.tiergate.hooks.install;

/**
 * The hook scripts. POSIX sh, so they run wherever git runs hooks. The cheapest JVM is the one not started, and the
 * cheapest process the one not spawned: on the fast path pre-commit runs one {@code git diff-index} and shell
 * builtins only (and hands its output to the JVM when it does start one, {@code TIERGATE_STAGED_RAW}), and
 * commit-msg runs nothing at all (pre-commit hands it the trailers in a file). The shims read only small files: dash's {@code read} makes one system call per byte, so the policy itself is never read here (the JVM leaves
 * its migration directory in the git dir).
 */
final class Shims {
    private Shims() {}

    /** Finds the (per-worktree) git dir without spawning git: GIT_DIR if exported, else .git, a file in linked worktrees. */
    private static final String GIT_DIR = """
            gd=${GIT_DIR:-.git}
            if [ -f "$gd" ]; then read -r gd < "$gd"; gd=${gd#gitdir: }; fi
            case $gd in /*) ;; *) gd=$top/$gd ;; esac
            """;

    static String shim(String hook, String launcher) {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/sh\n");
        s.append(HookInstaller.MARKER)
                .append(": ")
                .append(hook)
                .append(" (installed by 'tiergate install'; 'tiergate uninstall' restores what was here)\n");
        s.append("hook_dir=${0%/*}\n");
        boolean readsStdin = hook.equals("pre-push");
        if (readsStdin) {
            s.append("input=$(cat)\n");
        }
        String chained = "\"$hook_dir/" + hook + HookInstaller.CHAINED + "\"";
        s.append("if [ -x ").append(chained).append(" ]; then\n");
        s.append(readsStdin ? "  printf '%s\\n' \"$input\" | " : "  ")
                .append(chained)
                .append(" \"$@\" || exit $?\n");
        s.append("fi\n");
        s.append("# git runs hooks at the top of the working tree; without a policy tiergate has nothing to say\n");
        s.append("top=$PWD\n");
        s.append("[ -f \"$top/.tiergate/policy.yaml\" ] || exit 0\n");
        s.append(
                "# another tool (e.g. the Lakebase kit's install-hook.sh) may have put its own hook in place of one of ours:\n");
        s.append("# a sibling older than install's stamp is ours (two stats); a newer one has its marker line read\n");
        s.append("stamp=\"$hook_dir/").append(HookInstaller.STAMP).append("\"\n");
        for (String other : HookInstaller.HOOKS) {
            if (other.equals(hook)) {
                continue;
            }
            String sibling = "\"$hook_dir/" + other + "\"";
            s.append("l2=\"")
                    .append(HookInstaller.MARKER)
                    .append("\"; if [ ! -f ")
                    .append(sibling)
                    .append(" ]; then l2=; elif [ ! ")
                    .append(sibling)
                    .append(" -ot \"$stamp\" ]; then { read -r l1; read -r l2; } < ")
                    .append(sibling)
                    .append("; fi\n");
            s.append("case $l2 in \"")
                    .append(HookInstaller.MARKER)
                    .append("\"*) ;; *) echo \"tiergate: $hook_dir/")
                    .append(other)
                    .append(" is not tiergate's hook (another tool replaced or removed it), so tiergate's ")
                    .append(other)
                    .append(" checks do not run; fix: run 'tiergate install' again: it keeps the other hook as ")
                    .append(other)
                    .append(HookInstaller.CHAINED)
                    .append(" and runs it first\" >&2 ;; esac\n");
        }
        if (hook.equals("pre-commit")) {
            s.append(GIT_DIR);
            s.append("""
                    # trailers for commit-msg are handed over in a file; a stale one must not reach this commit
                    if [ -f "$gd/tiergate-trailers" ]; then rm -f "$gd/tiergate-trailers"; fi
                    # fast path: a claimed branch whose staged changes do not concern the database needs no JVM
                    branch=
                    if read -r head < "$gd/HEAD"; then
                      case $head in "ref: refs/heads/"*) branch=${head#ref: refs/heads/} ;; esac
                    fi
                    claimed=
                    if [ -n "$branch" ] && [ -f "$top/.tiergate/workflow-state.json" ]; then
                      while IFS= read -r line; do
                        case $line in *"\\"branch\\" : \\"$branch\\""*) claimed=1; break ;; esac
                      done < "$top/.tiergate/workflow-state.json"
                    fi
                    # the migration directory, as the last JVM run read it from the policy (a file in the git dir
                    # dated before that read): reading the policy here would cost a system call per byte
                    mdir=
                    if [ -n "$claimed" ] && [ -f "$gd/tiergate-fastpath" ] \\
                        && [ ! "$top/.tiergate/policy.yaml" -nt "$gd/tiergate-fastpath" ]; then
                      read -r mdir < "$gd/tiergate-fastpath"
                    fi
                    # any deletion, any path under the migration directory, .tiergate or .lakebase, any .sql file and
                    # any path git had to quote goes to the JVM; everything else needs nothing more
                    if [ -n "$mdir" ] && staged=$(git diff-index --cached --no-renames --no-abbrev HEAD); then
                      nl='
                    '
                      case "$nl$staged$nl" in
                        *" D\t"*|*"\t$mdir/"*|*"\t.tiergate/"*|*"\t.lakebase/"*|*".sql$nl"*|*'"'*) ;;
                        *) exit 0 ;;
                      esac
                      # the JVM takes these staged changes instead of asking git again (when they fit the environment)
                      if [ ${#staged} -le 65536 ]; then
                        TIERGATE_STAGED_RAW=$staged
                        export TIERGATE_STAGED_RAW
                      fi
                    fi
                    """);
        } else if (hook.equals("commit-msg")) {
            s.append(GIT_DIR);
            s.append("""
                    # pre-commit already judged the content and left the trailers; only a message that carries its own
                    # tiergate trailers needs the JVM, to check them against the content
                    own=
                    while IFS= read -r line; do
                      case $line in Tiergate-*) own=1; break ;; esac
                    done < "$1"
                    if [ -z "$own" ]; then
                      if [ -f "$gd/tiergate-trailers" ]; then
                        # the trailers belong to a git commit, whose message is COMMIT_EDITMSG; a merge's (MERGE_MSG)
                        # never ran pre-commit, so a file there was left by a commit aborted after its pre-commit
                        case ${1##*/} in
                          COMMIT_EDITMSG)
                            msg=$1
                            set --
                            while IFS= read -r trailer; do
                              if [ -n "$trailer" ]; then set -- "$@" --trailer "$trailer"; fi
                            done < "$gd/tiergate-trailers"
                            if [ $# -gt 0 ]; then git interpret-trailers --in-place "$@" "$msg"; fi
                            ;;
                        esac
                        rm -f "$gd/tiergate-trailers"
                      fi
                      exit 0
                    fi
                    """);
        }
        s.append("launcher=\"${TIERGATE_LAUNCHER:-")
                .append(launcher.replace("\"", "\\\"").replace("$", "\\$"))
                .append("}\"\n");
        s.append("if [ ! -x \"$launcher\" ]; then\n");
        s.append("  if found=$(command -v tiergate 2>/dev/null); then\n");
        s.append("    echo \"tiergate: $launcher (baked in by 'tiergate install') is missing; running $found from PATH"
                + " (fix: run 'tiergate install' again)\" >&2\n");
        s.append("    launcher=$found\n");
        s.append("  else\n");
        s.append("    echo \"tiergate: WARNING: the tiergate command $launcher is missing, so the ")
                .append(hook)
                .append(
                        " checks did NOT run (fix: install tiergate again, e.g. ./install.sh, then run 'tiergate install' with it;"
                                + " or set TIERGATE_LAUNCHER)\" >&2\n");
        s.append(
                "    if grep -Eq '^[[:space:]]*\"?fail_closed\"?[[:space:]]*:[[:space:]]*true' \"$top/.tiergate/policy.yaml\"; then\n");
        s.append("      echo \"tiergate: ")
                .append(hook.equals("pre-push") ? "push" : "commit")
                .append(" refused: the policy says hooks.fail_closed: true\" >&2\n");
        s.append("      exit 1\n");
        s.append("    fi\n");
        s.append("    exit 0\n");
        s.append("  fi\n");
        s.append("fi\n");
        if (readsStdin) {
            s.append("printf '%s\\n' \"$input\" | \"$launcher\" ").append(hook).append(" \"$@\"\n");
        } else {
            s.append("exec \"$launcher\" ").append(hook).append(" \"$@\"\n");
        }
        return s.toString();
    }
}

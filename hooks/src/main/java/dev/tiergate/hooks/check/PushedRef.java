package dev.tiergate.hooks.check;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of what git gives a pre-push hook on standard input: {@code <local ref> SP <local sha> SP <remote ref> SP
 * <remote sha>} (githooks(5), "pre-push"). A deletion has the zero id as its local sha; a new remote branch has it as
 * its remote sha. Ref names cannot hold spaces (git-check-ref-format(1)), so the four fields are the four words.
 */
record PushedRef(String localRef, String localSha, String remoteRef, String remoteSha) {
    /** SHA-1 or SHA-256 object names, as git prints them. */
    private static final Pattern LINE =
            Pattern.compile("(\\S+) ([0-9a-f]{40}|[0-9a-f]{64}) (\\S+) ([0-9a-f]{40}|[0-9a-f]{64})");

    private static final String HEADS = "refs/heads/";

    /** The line's four fields, or empty for a line that is not one (blank, or not git's shape). */
    static Optional<PushedRef> parse(String line) {
        Matcher m = LINE.matcher(line.strip());
        return m.matches()
                ? Optional.of(new PushedRef(m.group(1), m.group(2), m.group(3), m.group(4)))
                : Optional.empty();
    }

    /** The push deletes the remote ref. */
    boolean deletion() {
        return zero(localSha);
    }

    /** The remote does not have the ref yet. */
    boolean newOnRemote() {
        return zero(remoteSha);
    }

    /** The remote branch's short name, or empty when the remote ref is not a branch (a tag, a note). */
    Optional<String> remoteBranch() {
        return remoteRef.startsWith(HEADS) ? Optional.of(remoteRef.substring(HEADS.length())) : Optional.empty();
    }

    private static boolean zero(String sha) {
        return sha.chars().allMatch(c -> c == '0');
    }
}

package dev.tiergate.core.naming;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Git branch → database branch name, the same mapping as the Lakebase kit: lower-case, {@code /} → {@code -},
 * anything outside {@code [a-z0-9-]} → {@code -}, at most 63 characters, at least 3 (padded with {@code -x}).
 * A tier's git branch maps to the tier's name, so the default branch maps to the production tier.
 */
public final class DbBranchName {
    public static final int MAX_LENGTH = 63;
    public static final int MIN_LENGTH = 3;
    private static final int SUFFIX_HEX = 6;

    private DbBranchName() {}

    /** The kit's mapping, with no knowledge of other branches. */
    public static String of(String gitBranch) {
        String lower = gitBranch.toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            sb.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ? c : '-');
        }
        String name = sb.length() > MAX_LENGTH ? sb.substring(0, MAX_LENGTH) : sb.toString();
        while (name.length() < MIN_LENGTH) {
            name = name + "-x";
        }
        return name;
    }

    /** The name for a git branch under a policy: a tier's branch maps to the tier's name. */
    public static String of(Policy policy, String gitBranch) {
        Optional<Tier> tier = policy.tierForBranch(gitBranch);
        return of(tier.map(Tier::name).orElse(gitBranch));
    }

    /**
     * Keeps two git branches that map to one name apart. {@code taken} maps database branch names already in
     * use to the git branch that owns each. When the plain name belongs to another git branch, the name gets a
     * suffix {@code -} + the first six hex digits of SHA-256(git branch), cut so the whole stays within 63
     * characters; the result says so in {@link Assignment#collidedWith()}.
     */
    public static Assignment assign(String plainName, String gitBranch, Map<String, String> taken) {
        String owner = taken.get(plainName);
        if (owner == null || owner.equals(gitBranch)) {
            return new Assignment(plainName, null);
        }
        String suffix = "-" + sha256Hex(gitBranch).substring(0, SUFFIX_HEX);
        String stem = plainName.length() + suffix.length() > MAX_LENGTH
                ? plainName.substring(0, MAX_LENGTH - suffix.length())
                : plainName;
        return new Assignment(stem + suffix, owner);
    }

    private static String sha256Hex(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A chosen name; {@code collidedWith} is the git branch that already had the plain name, or null. */
    public record Assignment(String name, String collidedWith) {
        public boolean collided() {
            return collidedWith != null;
        }

        public String explanation(String gitBranch) {
            return collided()
                    ? "git branches '" + collidedWith + "' and '" + gitBranch
                            + "' map to the same database branch name;" + " '" + gitBranch + "' gets '" + name
                            + "' (suffix = first 6 hex digits of SHA-256 of the git branch name)"
                    : "'" + gitBranch + "' → '" + name + "'";
        }
    }
}

package dev.tiergate.core.migration;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ledger of committed migrations, {@code .tiergate/migrations.sum}: one line per migration,
 * {@code <sha256-hex>  <repo-relative path>} (the layout of {@code sha256sum}, so
 * {@code sha256sum -c .tiergate/migrations.sum} verifies it without tiergate). A recorded migration is immutable.
 */
public final class MigrationChecksums {
    public static final String PATH = ".tiergate/migrations.sum";

    private MigrationChecksums() {}

    public static String checksum(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Path → checksum in file order. Blank lines and {@code #} comments are skipped; a malformed line is refused. */
    public static Map<String, String> parse(String sumFileText) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] lines = sumFileText.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int sep = line.indexOf(' ');
            String sum = sep < 0 ? line : line.substring(0, sep);
            String path = sep < 0 ? "" : line.substring(sep).strip();
            if (path.startsWith("*")) {
                path = path.substring(1); // sha256sum's binary-mode marker
            }
            if (!sum.matches("[0-9a-f]{64}") || path.isEmpty()) {
                throw new IllegalArgumentException(PATH + ":" + (i + 1) + ": expected '<sha256-hex>  <path>', found '"
                        + line + "' [migration.ledger]\n  fix: restore the line from git history (git log -p -- " + PATH
                        + ")");
            }
            out.put(path, sum);
        }
        return out;
    }

    /** Lines sorted by path, so two branches that each add a migration merge without conflicts more often. */
    public static String render(Map<String, String> pathToChecksum) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(pathToChecksum)
                .forEach((path, sum) -> b.append(sum).append("  ").append(path).append('\n'));
        return b.toString();
    }

    public static String checksum(String content) {
        return checksum(content.getBytes(StandardCharsets.UTF_8));
    }
}

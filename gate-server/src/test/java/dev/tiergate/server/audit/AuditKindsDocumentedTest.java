package dev.tiergate.server.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A reader of {@code tiergate audit export} finds every kind of record, with its meaning, in docs/operations.md: one
 * row per {@link AuditKind}, as the enum says it, and no row for a kind that no longer exists. No database.
 */
class AuditKindsDocumentedTest {
    private static final Path PAGE = Path.of("docs/operations.md");
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z][a-z.-]*)` \\| (.*) \\|$", Pattern.MULTILINE);

    @Test
    void everyKindHasItsRowAndEveryRowAKind() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        root = Files.exists(root.resolve(PAGE)) ? root : root.getParent();
        String page = Files.readString(root.resolve(PAGE), StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        for (AuditKind k : AuditKind.values()) {
            if (!page.contains("| `" + k.wireName() + "` | " + k.meaning() + " |")) {
                missing.add("| `" + k.wireName() + "` | " + k.meaning() + " |");
            }
        }
        assertEquals(List.of(), missing, "rows to put in " + PAGE + "'s table of audit kinds (from AuditKind.java)");
        List<String> stale = new ArrayList<>();
        Matcher m = ROW.matcher(page);
        while (m.find()) {
            if (AuditKind.ofWireName(m.group(1)).isEmpty()) {
                stale.add(m.group(1));
            }
        }
        assertEquals(List.of(), stale, "rows of " + PAGE + " that name no AuditKind: remove them");
    }

    @Test
    void wireNamesAreDistinctAndReadBack() {
        Set<String> seen = new HashSet<>();
        for (AuditKind k : AuditKind.values()) {
            assertEquals(true, seen.add(k.wireName()), "two kinds are stored as " + k.wireName());
            assertEquals(k, AuditKind.ofWireName(k.wireName()).orElseThrow());
        }
        assertEquals(true, AuditKind.ofWireName("branch.dropped").isEmpty());
    }
}

package dev.tiergate.core.migration;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header every migration declares in its leading comment block:
 * <pre>
 * -- refactoring: Split Column
 * -- phase: expand
 * </pre>
 * The refactoring is a name from {@link RefactoringCatalog}; the phase one of expand, migrate, contract.
 */
public record MigrationHeader(String refactoring, Phase phase) {
    private static final Pattern ENTRY = Pattern.compile("^--\\s*([A-Za-z_-]+)\\s*:\\s*(.*?)\\s*$");
    /** The line the Lakebase kit's migration generator writes first: {@code -- V20260616093000: add_users}. */
    private static final Pattern KIT_DESCRIPTION = Pattern.compile("^--\\s*V(\\d+)\\s*:\\s*(.*?)\\s*$");

    public static final String EXAMPLE = "-- refactoring: Split Column\n-- phase: expand";

    /**
     * Reads the leading block of {@code --} comment lines (blank lines allowed) up to the first line of SQL.
     * Headers further down do not count: the header is what a reader sees first.
     */
    public static HeaderResult parse(String sql) {
        String refactoring = null;
        String phaseText = null;
        int refactoringLine = 0;
        int phaseLine = 0;
        int lastCommentLine = 1;
        String description = null;
        // only the leading comment block counts: read line by line and stop at the first statement, not split the file
        int at = 0;
        for (int i = 0; at <= sql.length(); i++) {
            int end = sql.indexOf('\n', at);
            String line = sql.substring(at, end < 0 ? sql.length() : end).strip();
            at = end < 0 ? sql.length() + 1 : end + 1;
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isEmpty()) {
                continue;
            }
            if (!line.startsWith("--")) {
                break;
            }
            lastCommentLine = i + 1;
            Matcher kit = KIT_DESCRIPTION.matcher(line);
            if (kit.matches() && description == null && !kit.group(2).isEmpty()) {
                description = kit.group(2);
                continue;
            }
            Matcher m = ENTRY.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String key = m.group(1).toLowerCase(Locale.ROOT);
            if (key.equals("refactoring") && refactoring == null) {
                refactoring = m.group(2);
                refactoringLine = i + 1;
            } else if (key.equals("phase") && phaseText == null) {
                phaseText = m.group(2);
                phaseLine = i + 1;
            }
        }
        List<String> problems = new ArrayList<>();
        int line = 0;
        Optional<String> canonical = Optional.empty();
        if (refactoring == null || refactoring.isEmpty()) {
            problems.add("no '-- refactoring: <name>' line in the leading comment block"
                    + (description == null ? "" : " (it describes the migration as '" + description + "' only)"));
            line = 1;
        } else {
            canonical = RefactoringCatalog.canonical(refactoring);
            if (canonical.isEmpty()) {
                problems.add("refactoring '" + refactoring + "' is not in the catalog"
                        + RefactoringCatalog.closest(refactoring)
                                .map(c -> " (did you mean '" + c + "'?)")
                                .orElse(""));
                line = refactoringLine;
            }
        }
        Optional<Phase> phase = Optional.empty();
        if (phaseText == null || phaseText.isEmpty()) {
            problems.add("no '-- phase: expand|migrate|contract' line in the leading comment block");
            line = line == 0 ? (refactoringLine > 0 ? refactoringLine : lastCommentLine) : line;
        } else {
            phase = Phase.fromWireName(phaseText);
            if (phase.isEmpty()) {
                problems.add("phase '" + phaseText + "' is not one of expand, migrate, contract");
                line = line == 0 ? phaseLine : line;
            }
        }
        if (!problems.isEmpty()) {
            return new HeaderResult(Optional.empty(), problems, Math.max(line, 1), Optional.ofNullable(description));
        }
        return new HeaderResult(
                Optional.of(new MigrationHeader(canonical.orElseThrow(), phase.orElseThrow())),
                List.of(),
                refactoringLine,
                Optional.ofNullable(description));
    }
}

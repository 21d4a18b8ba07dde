package dev.tiergate.core.migration;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A versioned migration's file name: {@code V<yyyyMMddHHmmss UTC>__<description>.sql}, e.g.
 * {@code V20260616093000__split_inventory_code.sql}. The version is a UTC timestamp so two people (or agents)
 * working apart rarely pick the same one, and the order of versions is the order of intent.
 */
public record MigrationName(String version, String description, String fileName) {
    private static final Pattern NAME = Pattern.compile("V(\\d{14})__([A-Za-z0-9][A-Za-z0-9_]*)\\.sql");
    static final DateTimeFormatter VERSION_FORMAT =
            DateTimeFormatter.ofPattern("uuuuMMddHHmmss").withResolverStyle(ResolverStyle.STRICT);

    /** Parses a file name or a path (only the last segment counts); empty when it breaks the naming rule. */
    public static Optional<MigrationName> parse(String fileName) {
        String name = fileName.substring(fileName.lastIndexOf('/') + 1);
        Matcher m = NAME.matcher(name);
        if (!m.matches() || !isTimestamp(m.group(1))) {
            return Optional.empty();
        }
        return Optional.of(new MigrationName(m.group(1), m.group(2), name));
    }

    public static String namingRuleText() {
        return "V<UTC timestamp yyyyMMddHHmmss>__<description of letters, digits and _>.sql,"
                + " e.g. V20260616093000__split_inventory_code.sql";
    }

    /** The file name this migration would have with another version, same description. */
    public String withVersion(String newVersion) {
        return "V" + newVersion + "__" + description + ".sql";
    }

    static boolean isTimestamp(String digits) {
        try {
            LocalDateTime.parse(digits, VERSION_FORMAT);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}

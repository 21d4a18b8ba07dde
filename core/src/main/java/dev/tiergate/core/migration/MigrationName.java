package dev.tiergate.core.migration;

import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
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
    public static final String DEFAULT_TEMPLATE = "V{timestamp}__{description}.sql";
    private static final String TIMESTAMP = "{timestamp}";
    private static final String DESCRIPTION = "{description}";
    private static final Pattern NAME = Pattern.compile("V(?<v>\\d{14})__(?<d>[A-Za-z0-9][A-Za-z0-9_]*)\\.sql");
    static final DateTimeFormatter VERSION_FORMAT =
            DateTimeFormatter.ofPattern("uuuuMMddHHmmss").withResolverStyle(ResolverStyle.STRICT);

    /** Parses a file name or a path (only the last segment counts); empty when it breaks the naming rule. */
    public static Optional<MigrationName> parse(String fileName) {
        return parse(fileName, NAME);
    }

    /**
     * Parses against a policy's naming template, e.g. {@code V{timestamp}__{description}.sql} (the default) or
     * {@code {timestamp}_{description}.up.sql}: {@code {timestamp}} is 14 digits of a valid UTC date-time,
     * {@code {description}} letters, digits and underscores; everything else is literal.
     */
    public static Optional<MigrationName> parse(String fileName, String namingTemplate) {
        return parse(
                fileName,
                namingTemplate == null || namingTemplate.equals(DEFAULT_TEMPLATE) ? NAME : compile(namingTemplate));
    }

    /** A template is usable when it has exactly one {timestamp} and one {description} placeholder. */
    public static boolean isUsableTemplate(String namingTemplate) {
        return count(namingTemplate, TIMESTAMP) == 1 && count(namingTemplate, DESCRIPTION) == 1;
    }

    private static Optional<MigrationName> parse(String fileName, Pattern pattern) {
        String name = fileName.substring(fileName.lastIndexOf('/') + 1);
        Matcher m = pattern.matcher(name);
        if (!m.matches() || !isTimestamp(m.group("v"))) {
            return Optional.empty();
        }
        return Optional.of(new MigrationName(m.group("v"), m.group("d"), name));
    }

    private static Pattern compile(String template) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            if (template.startsWith(TIMESTAMP, i)) {
                regex.append("(?<v>\\d{14})");
                i += TIMESTAMP.length();
            } else if (template.startsWith(DESCRIPTION, i)) {
                regex.append("(?<d>[A-Za-z0-9][A-Za-z0-9_]*)");
                i += DESCRIPTION.length();
            } else {
                regex.append(Pattern.quote(String.valueOf(template.charAt(i))));
                i++;
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    public static String namingRuleText(String namingTemplate) {
        if (namingTemplate == null || namingTemplate.equals(DEFAULT_TEMPLATE)) {
            return namingRuleText();
        }
        return namingTemplate + " ({timestamp}: UTC yyyyMMddHHmmss; {description}: letters, digits and _), e.g. "
                + fileNameFor("20260616093000", "split_inventory_code", namingTemplate);
    }

    public static String namingRuleText() {
        return "V<UTC timestamp yyyyMMddHHmmss>__<description of letters, digits and _>.sql,"
                + " e.g. V20260616093000__split_inventory_code.sql";
    }

    /** The file name this migration would have with another version: same naming, same description. */
    public String withVersion(String newVersion) {
        return fileName.replace(version, newVersion);
    }

    public static String fileNameFor(String version, String description, String namingTemplate) {
        String t = namingTemplate == null ? DEFAULT_TEMPLATE : namingTemplate;
        return t.replace(TIMESTAMP, version).replace(DESCRIPTION, description);
    }

    static boolean isTimestamp(String digits) {
        // the same verdict as LocalDateTime.parse(digits, VERSION_FORMAT), without a formatter and an exception per
        // bad name: check ranges by hand (a check of 1,000 migrations parses every name twice)
        if (digits.length() != 14) {
            return false;
        }
        for (int i = 0; i < 14; i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return false;
            }
        }
        int year = Integer.parseInt(digits, 0, 4, 10);
        int month = Integer.parseInt(digits, 4, 6, 10);
        int day = Integer.parseInt(digits, 6, 8, 10);
        int hour = Integer.parseInt(digits, 8, 10, 10);
        int minute = Integer.parseInt(digits, 10, 12, 10);
        int second = Integer.parseInt(digits, 12, 14, 10);
        return month >= 1
                && month <= 12
                && day >= 1
                && day <= YearMonth.of(year, month).lengthOfMonth()
                && hour <= 23
                && minute <= 59
                && second <= 59;
    }
}

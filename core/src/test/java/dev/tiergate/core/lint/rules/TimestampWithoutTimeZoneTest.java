package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TimestampWithoutTimeZoneTest {
    private static final String RULE = "sql.timestamp-without-time-zone";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(1, Lint.count(RULE, "CREATE TABLE t (at timestamp);"), "CREATE TABLE t (at timestamp);");
        assertEquals(
                1,
                Lint.count(RULE, "ALTER TABLE t ADD COLUMN at timestamp(3) without time zone;"),
                "ALTER TABLE t ADD COLUMN at timestamp(3) without time zone;");
    }

    @Test
    void pointsAtTheColumnNotTheStatement() {
        assertEquals(
                List.of(3, 4),
                Lint.findings(RULE, "CREATE TABLE t (\n  id bigint,\n  at timestamp,\n  seen timestamp\n);\n").stream()
                        .map(f -> f.line())
                        .toList());
        assertEquals(
                List.of(2),
                Lint.findings(RULE, "ALTER TABLE t\n  ALTER COLUMN at TYPE timestamp;").stream()
                        .map(f -> f.line())
                        .toList());
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(
                0,
                Lint.count(RULE, "CREATE TABLE t (at timestamptz, b timestamp with time zone);"),
                "CREATE TABLE t (at timestamptz, b timestamp with time zone);");
        assertEquals(0, Lint.count(RULE, "SELECT 'x'::timestamp;"), "SELECT 'x'::timestamp;");
    }
}

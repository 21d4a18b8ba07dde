package dev.tiergate.core.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written timestamp check gives the strict formatter's verdict (it replaced the formatter for speed). */
class MigrationNameTimestampTest {

    private static boolean byFormatter(String digits) {
        try {
            LocalDateTime.parse(digits, MigrationName.VERSION_FORMAT);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "20260616093000",
                "20240229000000",
                "20230229000000",
                "20261301000000",
                "20260001000000",
                "20260100000000",
                "20260431000000",
                "20260430235959",
                "20260430240000",
                "20260430236000",
                "20260430235960",
                "00000101000000",
                "99991231235959",
                "2026061609300",
                "202606160930000",
                "2026061609300x",
                "-2026061609300",
                "21000229000000",
                "20000229000000"
            })
    void agreesWithTheStrictFormatterOnEdges(String digits) {
        assertEquals(byFormatter(digits), MigrationName.isTimestamp(digits), digits);
    }

    @Test
    void agreesWithTheStrictFormatterOnRandomDigits() {
        SplittableRandom r = new SplittableRandom(20261126L);
        for (int i = 0; i < 20_000; i++) {
            String digits = String.format(
                    "%04d%02d%02d%02d%02d%02d",
                    r.nextInt(10000), r.nextInt(15), r.nextInt(34), r.nextInt(26), r.nextInt(62), r.nextInt(62));
            assertEquals(byFormatter(digits), MigrationName.isTimestamp(digits), digits);
        }
    }
}

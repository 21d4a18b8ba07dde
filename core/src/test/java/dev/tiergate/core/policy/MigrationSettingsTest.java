package dev.tiergate.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** The run bounds a policy gives migrations: read, defaulted, and capped where a policy could ask for too much. */
class MigrationSettingsTest {
    private static final String TIERS = """
            version: 1
            tiers:
              - {name: production, branch: main}
            """;

    @Test
    void theBoundsAreReadFromThePolicy() {
        Policy p = PolicyReader.read(TIERS + """
                migrations:
                  extensions: [postgis, pg_partman]
                  run_minutes: 3
                  branch_size_limit_mb: 512
                """, ".tiergate/policy.yaml");
        assertEquals(List.of("postgis", "pg_partman"), p.migrations().extensions());
        assertEquals(3, p.migrations().runMinutes());
        assertEquals(Duration.ofMinutes(3), p.migrations().runDeadline());
        assertEquals(
                (10L << 30) + 512L * 1024 * 1024,
                p.migrations().branchSizeLimitBytes(10L << 30),
                "a bound on growth: a 10 GiB tier may still migrate under 512 MB");
    }

    @Test
    void withoutBoundsARunGetsTenMinutesAndTwiceItsTierPlusAGigabyte() {
        MigrationSettings s = PolicyReader.read(TIERS, ".tiergate/policy.yaml").migrations();
        assertEquals(10, s.runMinutes());
        assertEquals(List.of(), s.extensions());
        assertEquals(2L * 100 + (1L << 30), s.branchSizeLimitBytes(100));
    }

    @Test
    void aPolicyCannotAskForADayLongRun() {
        assertEquals(
                MigrationSettings.MAX_RUN_MINUTES,
                new MigrationSettings(null, null, null, 100_000.0, null).runMinutes());
    }

    @Test
    void aFractionOfAMinuteIsADeadlineTooDownToThreeSeconds() {
        MigrationSettings s = PolicyReader.read(TIERS + "migrations: {run_minutes: 0.05}\n", ".tiergate/policy.yaml")
                .migrations();
        assertEquals(Duration.ofSeconds(3), s.runDeadline());
        assertEquals("0.05 min", s.runMinutesText());
        assertEquals(
                Duration.ofSeconds(3),
                new MigrationSettings(null, null, null, 0.0001, null).runDeadline(),
                "never below 3 s");
        assertEquals(
                "10 min",
                PolicyReader.read(TIERS, ".tiergate/policy.yaml").migrations().runMinutesText());
    }

    @Test
    void anExtensionNameThatIsNotAnIdentifierIsRefusedByTheSchema() {
        var verdict = PolicyValidator.validate((TIERS + """
                migrations:
                  extensions: ["x; drop database postgres"]
                """).getBytes(StandardCharsets.UTF_8), ".tiergate/policy.yaml");
        assertTrue(verdict.refusals().stream().anyMatch(r -> r.message().contains("extensions")), verdict.toString());
    }

    @Test
    void theToolAndItsFlywaySettingsAreReadAndDefaultToFlywaysOwn() {
        MigrationSettings d = PolicyReader.read(TIERS, ".tiergate/policy.yaml").migrations();
        assertEquals(MigrationTool.FLYWAY, d.tool());
        assertEquals(new FlywaySettings(false, true), d.flyway());
        MigrationSettings s =
                PolicyReader.read(TIERS + """
                migrations:
                  tool: golang-migrate
                  flyway: {transactional_lock: false}
                """, ".tiergate/policy.yaml").migrations();
        assertEquals(MigrationTool.GOLANG_MIGRATE, s.tool());
        assertEquals(new FlywaySettings(false, false), s.flyway());
    }

    @Test
    void anUnknownToolIsRefusedByTheReaderAndTheSchema() {
        String yaml = TIERS + """
                migrations:
                  tool: liquibase
                """;
        PolicyException e =
                Assertions.assertThrows(PolicyException.class, () -> PolicyReader.read(yaml, ".tiergate/policy.yaml"));
        assertTrue(
                e.getMessage()
                        .contains("unknown migration tool 'liquibase' (expected flyway, golang-migrate, goose,"
                                + " dbmate, rails, alembic or plain)"),
                e.getMessage());
        var verdict = PolicyValidator.validate(yaml.getBytes(StandardCharsets.UTF_8), ".tiergate/policy.yaml");
        assertTrue(verdict.refusals().stream().anyMatch(r -> r.message().contains("tool")), verdict.toString());
    }
}

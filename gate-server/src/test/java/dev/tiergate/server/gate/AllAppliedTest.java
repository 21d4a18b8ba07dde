package dev.tiergate.server.gate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.server.migrate.FlywayRunner.Applied;
import dev.tiergate.server.migrate.MigrationFile;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a rehearsal may skip Flyway: only when the tier has applied, successfully, every file of the head. */
class AllAppliedTest {
    static MigrationFile file(String name) {
        return new MigrationFile("db/migration/" + name, "select 1;".getBytes(StandardCharsets.UTF_8));
    }

    static final MigrationSettings S = MigrationSettings.DEFAULTS;

    @Test
    void everyFileAppliedOrNoFileAtAll() {
        List<Applied> tier = List.of(
                new Applied("20260101000000", "V20260101000000__a.sql", 1, true),
                new Applied("20260102000000", "V20260102000000__b.sql", 2, true));
        assertTrue(DatabaseMigrations.allApplied(
                List.of(file("V20260101000000__a.sql"), file("V20260102000000__b.sql")), tier, S));
        assertTrue(
                DatabaseMigrations.allApplied(List.of(file("V20260101000000__a.sql")), tier, S),
                "a PR behind its tier");
        assertTrue(DatabaseMigrations.allApplied(List.of(), List.of(), S), "no migrations anywhere");
    }

    @Test
    void aNewOrFailedVersionOrAFileFlywayAloneCanJudgeIsNot() {
        List<Applied> tier = List.of(
                new Applied("20260101000000", "V20260101000000__a.sql", 1, true),
                new Applied("20260102000000", "V20260102000000__b.sql", 2, false));
        assertFalse(DatabaseMigrations.allApplied(List.of(file("V20260103000000__c.sql")), tier, S), "pending");
        assertFalse(
                DatabaseMigrations.allApplied(List.of(file("V20260102000000__b.sql")), tier, S), "applied, but failed");
        assertFalse(DatabaseMigrations.allApplied(List.of(file("R__views.sql")), tier, S), "repeatable");
        assertFalse(
                DatabaseMigrations.allApplied(List.of(file("notes.txt")), tier, S), "not a migration by the naming");
    }
}

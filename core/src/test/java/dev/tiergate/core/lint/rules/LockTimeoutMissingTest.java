package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiergate.core.lint.Finding;
import java.util.List;
import org.junit.jupiter.api.Test;

class LockTimeoutMissingTest {
    private static final String RULE = "sql.lock-timeout-missing";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(
                1,
                Lint.count(RULE, "ALTER TABLE orders ADD COLUMN note text;"),
                "ALTER TABLE orders ADD COLUMN note text;");
        assertEquals(1, Lint.count(RULE, "DROP INDEX orders_note_idx;"));
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(
                0,
                Lint.count(RULE, "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;"),
                "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;");
        assertEquals(
                0,
                Lint.count(RULE, "ALTER TABLE orders VALIDATE CONSTRAINT fk;"),
                "ALTER TABLE orders VALIDATE CONSTRAINT fk;");
        // CONCURRENTLY takes SHARE UPDATE EXCLUSIVE, not ACCESS EXCLUSIVE
        assertEquals(0, Lint.count(RULE, "DROP INDEX CONCURRENTLY IF EXISTS orders_note_idx;"));
        assertEquals(0, Lint.count(RULE, "SET lock_timeout = '2s';\nDROP INDEX orders_note_idx;"));
    }

    @Test
    void triggerStatementsOnAnExistingTableNeedALockTimeout() {
        List<Finding> f = Lint.findings(
                RULE,
                "CREATE TRIGGER objects_set_updated_at\n"
                        + "  BEFORE UPDATE ON storage.objects\n  FOR EACH ROW EXECUTE FUNCTION storage.set_updated_at();");
        assertEquals(1, f.size());
        assertEquals(
                "CREATE TRIGGER takes a SHARE ROW EXCLUSIVE lock on existing table storage.objects, blocking its"
                        + " writes, and no lock_timeout is set before it",
                f.get(0).message());
        assertEquals(1, Lint.count(RULE, "DROP TRIGGER IF EXISTS objects_set_updated_at ON storage.objects;"));
        // a table created in the set has no readers to block
        assertEquals(
                0,
                Lint.count(
                        RULE,
                        "CREATE TABLE IF NOT EXISTS t (a int);\n"
                                + "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nDROP TRIGGER tr ON t;"));
    }

    @Test
    void aForeignKeyToAnExistingTableLocksThatTable() {
        List<Finding> f = Lint.findings(
                RULE,
                "CREATE TABLE crate_owner_invitations (\n"
                        + "  invited_user_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE,\n  crate_id int NOT NULL,\n"
                        + "  FOREIGN KEY (crate_id) REFERENCES crates (id)\n);");
        assertEquals(1, f.size());
        assertEquals(
                "the foreign key to existing table users takes a SHARE ROW EXCLUSIVE lock on it, blocking its writes,"
                        + " and no lock_timeout is set before it",
                f.get(0).message());
        assertEquals(
                1,
                Lint.count(
                        RULE,
                        "CREATE TABLE a (id int);\nALTER TABLE a ADD CONSTRAINT a_fk FOREIGN KEY (id)"
                                + " REFERENCES users (id);"));
        assertEquals(
                0, Lint.count(RULE, "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (a_id int REFERENCES a);"));
        assertEquals(0, Lint.count(RULE, "CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree (id));"));
        assertEquals(0, Lint.count(RULE, "SET lock_timeout = '2s';\nCREATE TABLE b (u int REFERENCES users);"));
    }
}

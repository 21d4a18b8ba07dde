package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiergate.core.lint.Finding;
import dev.tiergate.core.policy.MigrationTool;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConstraintNotValidTest {
    private static final String RULE = "sql.constraint-not-valid";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(
                1,
                Lint.count(RULE, "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES customers (id);"),
                "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES customers (id);");
        assertEquals(
                1,
                Lint.count(RULE, "ALTER TABLE orders ADD CONSTRAINT q CHECK (qty > 0);"),
                "ALTER TABLE orders ADD CONSTRAINT q CHECK (qty > 0);");
    }

    @Test
    void flagsAPg18NotNullConstraintAndAReferencingColumnWithADefault() {
        assertEquals(1, Lint.count(RULE, "ALTER TABLE users ADD CONSTRAINT users_banned_nn NOT NULL banned;"));
        assertEquals(
                1, Lint.count(RULE, "ALTER TABLE post ADD category_id int REFERENCES category NOT NULL DEFAULT 1;"));
        assertEquals(1, Lint.count(RULE, "ALTER TABLE post ADD COLUMN n serial REFERENCES counters;"));
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(
                0,
                Lint.count(
                        RULE,
                        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES customers (id) NOT VALID;"),
                "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES customers (id) NOT VALID;");
        assertEquals(
                0,
                Lint.count(RULE, "CREATE TABLE o (c int);\nALTER TABLE o ADD CONSTRAINT q CHECK (c > 0);"),
                "CREATE TABLE o (c int);\nALTER TABLE o ADD CONSTRAINT q CHECK (c > 0);");
        // a new column with REFERENCES and no DEFAULT is all NULL: PostgreSQL skips the validation
        assertEquals(
                0,
                Lint.count(RULE, "ALTER TABLE post ADD COLUMN language_id int REFERENCES language ON DELETE CASCADE;"));
        assertEquals(
                0, Lint.count(RULE, "ALTER TABLE users ADD CONSTRAINT users_banned_nn NOT NULL banned NOT VALID;"));
        // UNIQUE and PRIMARY KEY have no NOT VALID: sql.unique-without-index speaks of them
        assertEquals(0, Lint.count(RULE, "ALTER TABLE users ADD CONSTRAINT u UNIQUE (email);"));
        // NOT NULL after a validated CHECK (banned IS NOT NULL): PostgreSQL uses the CHECK instead of a scan
        assertEquals(
                0,
                Lint.count(
                        RULE,
                        "ALTER TABLE users ADD CONSTRAINT c CHECK (banned IS NOT NULL) NOT VALID;",
                        "ALTER TABLE users VALIDATE CONSTRAINT c;",
                        "ALTER TABLE users ADD CONSTRAINT users_banned_nn NOT NULL banned;"));
    }

    @Test
    void aReferencingColumnAddedBesideAColumnWithADefaultIsValidatedByAScan() {
        // issue 26: one skipValidation for the whole ALTER TABLE (parse_utilcmd.c), cleared by any column's DEFAULT
        String sql = "ALTER TABLE post\n    ADD COLUMN featured boolean NOT NULL DEFAULT false,\n"
                + "    ADD COLUMN language_id int REFERENCES language ON UPDATE CASCADE ON DELETE CASCADE;";
        List<Finding> f = Lint.findings(RULE, sql);
        assertEquals(1, f.size(), f.toString());
        assertEquals(3, f.get(0).line());
        assertEquals(
                "column language_id added to existing table post with REFERENCES in the same ALTER TABLE as column"
                        + " featured with a DEFAULT: PostgreSQL then validates the foreign key, checking every row while holding a"
                        + " lock",
                f.get(0).message());
        // an identity is no default there; nor is a column added in another statement
        assertEquals(
                0,
                Lint.count(
                        RULE,
                        "ALTER TABLE post ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY,"
                                + " ADD COLUMN language_id int REFERENCES language;"));
        assertEquals(
                0,
                Lint.count(
                        RULE,
                        "ALTER TABLE post ADD COLUMN featured boolean NOT NULL DEFAULT false;\n"
                                + "ALTER TABLE post ADD COLUMN language_id int REFERENCES language;"));
    }

    @Test
    void validatingInTheTransactionThatAddedItNotValidScansUnderTheAddsLock() {
        // the shape of an atlas-generated golang-migrate file: ADD ... NOT VALID, then VALIDATE, in one file
        String sql = "ALTER TABLE \"addon_rate_cards\" ADD COLUMN \"tax_code_id\" character(26) NULL, ADD CONSTRAINT"
                + " \"addon_rate_cards_tax_codes\" FOREIGN KEY (\"tax_code_id\") REFERENCES \"tax_codes\" (\"id\")"
                + " ON UPDATE NO ACTION ON DELETE SET NULL NOT VALID;\n"
                + "ALTER TABLE \"addon_rate_cards\" VALIDATE CONSTRAINT \"addon_rate_cards_tax_codes\";\n";
        List<Finding> f = Lint.findings(Lint.tool(MigrationTool.GOLANG_MIGRATE), RULE, sql);
        assertEquals(1, f.size(), f.toString());
        assertEquals(2, f.get(0).line());
        assertEquals(
                "VALIDATE CONSTRAINT addon_rate_cards_tax_codes in the transaction that added it NOT VALID"
                        + " (golang-migrate sends the file as one query, which PostgreSQL runs as one transaction (it has 2"
                        + " statements)): the ADD's lock on addon_rate_cards is held until commit, so the validation scans every"
                        + " row under it; validate in a later migration",
                f.get(0).message());
        // in a later migration, or statement by statement, the lock is gone when the validation starts
        assertEquals(
                0, Lint.count(RULE, sql.substring(0, sql.indexOf('\n') + 1), sql.substring(sql.indexOf('\n') + 1)));
        assertEquals(0, Lint.findings(Lint.tool(MigrationTool.PLAIN), RULE, sql).size());
    }
}

package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiergate.core.lint.Finding;
import java.util.List;
import org.junit.jupiter.api.Test;

class UniqueWithoutIndexTest {
    private static final String RULE = "sql.unique-without-index";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(
                1,
                Lint.count(RULE, "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);"),
                "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);");
        assertEquals(
                1,
                Lint.count(RULE, "ALTER TABLE users ADD PRIMARY KEY (id);"),
                "ALTER TABLE users ADD PRIMARY KEY (id);");
    }

    @Test
    void flagsAColumnAddedWithUniqueOrPrimaryKey() {
        List<Finding> f = Lint.findings(RULE, "ALTER TABLE users ADD COLUMN handle text UNIQUE;");
        assertEquals(1, f.size(), f.toString());
        assertEquals(
                "column handle added with UNIQUE to existing table users: its index is built under the ACCESS"
                        + " EXCLUSIVE lock of the ALTER TABLE",
                f.get(0).message());
        assertEquals(
                1,
                Lint.count(
                        RULE,
                        "ALTER TABLE users ADD COLUMN IF NOT EXISTS phone varchar(15) NULL UNIQUE DEFAULT NULL;"));
        assertEquals(1, Lint.count(RULE, "ALTER TABLE users ADD COLUMN id bigserial PRIMARY KEY;"));
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(
                0,
                Lint.count(
                        RULE, "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;"),
                "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;");
        assertEquals(
                0,
                Lint.count(RULE, "CREATE TABLE u (e text);\nALTER TABLE u ADD UNIQUE (e);"),
                "CREATE TABLE u (e text);\nALTER TABLE u ADD UNIQUE (e);");
        assertEquals(0, Lint.count(RULE, "CREATE TABLE u AS SELECT 1 AS a;\nALTER TABLE u ADD COLUMN e text UNIQUE;"));
        assertEquals(0, Lint.count(RULE, "ALTER TABLE users ADD COLUMN handle text REFERENCES handles;"));
    }
}

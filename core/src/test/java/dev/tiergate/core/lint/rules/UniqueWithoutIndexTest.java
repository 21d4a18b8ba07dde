package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UniqueWithoutIndexTest {
    private static final String RULE = "sql.unique-without-index";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(1, Lint.count(RULE, "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);"), "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);");
        assertEquals(1, Lint.count(RULE, "ALTER TABLE users ADD PRIMARY KEY (id);"), "ALTER TABLE users ADD PRIMARY KEY (id);");
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(0, Lint.count(RULE, "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;"), "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;");
        assertEquals(0, Lint.count(RULE, "CREATE TABLE u (e text);\nALTER TABLE u ADD UNIQUE (e);"), "CREATE TABLE u (e text);\nALTER TABLE u ADD UNIQUE (e);");
    }
}

package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConstraintNotValidTest {
    private static final String RULE = "sql.constraint-not-valid";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(1, Lint.count(RULE, "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES customers (id);"), "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES customers (id);");
        assertEquals(1, Lint.count(RULE, "ALTER TABLE orders ADD CONSTRAINT q CHECK (qty > 0);"), "ALTER TABLE orders ADD CONSTRAINT q CHECK (qty > 0);");
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(0, Lint.count(RULE, "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES customers (id) NOT VALID;"), "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES customers (id) NOT VALID;");
        assertEquals(0, Lint.count(RULE, "CREATE TABLE o (c int);\nALTER TABLE o ADD CONSTRAINT q CHECK (c > 0);"), "CREATE TABLE o (c int);\nALTER TABLE o ADD CONSTRAINT q CHECK (c > 0);");
    }
}

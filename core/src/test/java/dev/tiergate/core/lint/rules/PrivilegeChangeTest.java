package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiergate.core.lint.Finding;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Grants, default privileges and row-level security inside a migration: warnings pointing at the policy file. */
class PrivilegeChangeTest {
    private static final String RULE = "sql.privilege-change";
    private static final String WHERE = ": a change of privileges, which belongs in the policy file"
            + " (.tiergate/policy.yaml, database access) where the reviewer sees it";

    private static void flagged(String sql, String message) {
        List<Finding> f = Lint.findings(RULE, sql);
        assertEquals(1, f.size(), sql + " -> " + f);
        assertEquals(message + WHERE, f.get(0).message(), sql);
        assertEquals("warning", f.get(0).severity().wireName());
    }

    @Test
    void grantsAndRevokesOnObjects() {
        flagged("GRANT SELECT ON TABLE t TO app;", "GRANT on table");
        flagged("GRANT SELECT, INSERT ON orders, customers TO app;", "GRANT on table");
        flagged("GRANT USAGE, SELECT ON SEQUENCE orders_id_seq TO app;", "GRANT on sequence");
        flagged("GRANT USAGE ON SCHEMA storage TO authenticated, anon;", "GRANT on schema");
        flagged("GRANT EXECUTE ON FUNCTION auth.uid() TO authenticated;", "GRANT on function");
        flagged("GRANT ALL ON ALL TABLES IN SCHEMA auth TO supabase_auth_admin;", "GRANT on all tables in schema");
        flagged("REVOKE UPDATE (email) ON users FROM app;", "REVOKE on table");
    }

    @Test
    void defaultPrivilegesPoliciesAndRowLevelSecurity() {
        flagged(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA storage\n  GRANT ALL ON TABLES TO postgres;",
                "ALTER DEFAULT PRIVILEGES");
        flagged("CREATE POLICY own_rows ON documents FOR SELECT USING (owner = current_user);", "CREATE POLICY");
        flagged("ALTER POLICY own_rows ON documents USING (true);", "ALTER POLICY");
        flagged("DROP POLICY IF EXISTS own_rows ON documents;", "DROP POLICY");
        flagged(
                "ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;",
                "ENABLE ROW LEVEL SECURITY on storage.objects");
        flagged("ALTER TABLE documents FORCE ROW LEVEL SECURITY;", "FORCE ROW LEVEL SECURITY on documents");
        flagged("ALTER TABLE documents NO FORCE ROW LEVEL SECURITY;", "NO FORCE ROW LEVEL SECURITY on documents");
    }

    @Test
    void notOtherStatementsNorClusterGrants() {
        assertEquals(0, Lint.count(RULE, "GRANT CONNECT ON DATABASE app TO reporting;"));
        assertEquals(0, Lint.count(RULE, "GRANT admin TO alice;"));
        assertEquals(0, Lint.count(RULE, "ALTER TABLE documents ENABLE TRIGGER audit;"));
        assertEquals(0, Lint.count(RULE, "CREATE TABLE grants (id bigint);"));
    }
}

package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * {@link Rule#SQL_PRIVILEGE_CHANGE}: who may read or write what, changed inside a migration: GRANT/REVOKE on tables,
 * sequences, schemas, functions and the other objects of a database, ALTER DEFAULT PRIVILEGES, CREATE/ALTER/DROP
 * POLICY, and ALTER TABLE ... ENABLE/DISABLE/[NO] FORCE ROW LEVEL SECURITY. Grants on a database, a tablespace or a
 * parameter, and of role membership, are {@link ClusterStatement}'s.
 */
public final class PrivilegeChange implements LintRule {
    private static final Set<String> CLUSTER_GRANTS = Set.of("database", "tablespace", "parameter", "role");
    private static final String WHERE =
            ": a change of privileges, which belongs in the policy file (.tiergate/policy.yaml,"
                    + " database access) where the reviewer sees it";

    @Override
    public Rule rule() {
        return Rule.SQL_PRIVILEGE_CHANGE;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (s instanceof PgStatement.Grant g && !CLUSTER_GRANTS.contains(g.objectKind())) {
            out.report(0, (g.grant() ? "GRANT" : "REVOKE") + " on " + g.objectKind() + WHERE);
        } else if (s instanceof PgStatement.Other o
                && (o.startsWith("alter default privileges")
                        || o.startsWith("create policy")
                        || o.startsWith("alter policy"))) {
            out.report(
                    0,
                    String.join(" ", Arrays.copyOf(o.head().split(" "), o.startsWith("alter default") ? 3 : 2))
                                    .toUpperCase(Locale.ROOT)
                            + WHERE);
        } else if (s instanceof PgStatement.Drop d && d.kind().equals("policy")) {
            out.report(0, "DROP POLICY" + WHERE);
        } else if (s instanceof PgStatement.AlterTable a) {
            for (PgStatement.Action action : a.actions()) {
                if (action instanceof PgStatement.OtherAction o && o.head().contains("row level security")) {
                    out.report(action.offset(), o.head().toUpperCase(Locale.ROOT) + " on " + a.table() + WHERE);
                }
            }
        }
    }
}

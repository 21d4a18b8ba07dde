package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link Rule#SQL_INT_PRIMARY_KEY}: a serial or 32/16-bit integer primary key, declared on the column
 * ({@code id int PRIMARY KEY}), as a table constraint ({@code PRIMARY KEY (id)}) or added later
 * ({@code ALTER TABLE t ADD [CONSTRAINT k] PRIMARY KEY (id)}, on a table created in the migration set, whose column
 * types are known). A composite key is not flagged: its columns are usually references whose values come from the
 * referenced tables' keys, which this rule checks where they are declared.
 */
public final class IntPrimaryKey implements LintRule {
    private static final Set<String> SMALL = Set.of("serial", "smallserial", "int4", "int2");

    @Override
    public Rule rule() {
        return Rule.SQL_INT_PRIMARY_KEY;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        Map<String, PgStatement.ColumnDef> written = new HashMap<>();
        for (PgStatement.ColumnDef c : LintRules.columns(s)) {
            written.put(c.name(), c);
            if (c.primaryKey()) {
                report(c.name(), c.type(), c.offset(), out);
            }
        }
        if (s instanceof PgStatement.CreateTable c) {
            for (PgStatement.TableConstraint k : c.constraints()) {
                Optional<String> key = singleKeyColumn(k);
                PgStatement.ColumnDef col = key.isPresent() ? written.get(key.get()) : null;
                if (col != null) {
                    report(col.name(), col.type(), col.offset(), out); // where the type is fixed
                }
            }
        } else if (s instanceof PgStatement.AlterTable a) {
            for (PgStatement.Action action : a.actions()) {
                Optional<String> key = action instanceof PgStatement.AddConstraint add
                        ? singleKeyColumn(add.constraint())
                        : Optional.empty();
                if (key.isPresent()) {
                    String col = key.get();
                    Optional<PgStatement.TypeName> type = written.containsKey(col)
                            ? Optional.of(written.get(col).type())
                            : state.columnType(a.table(), col);
                    if (type.isPresent()) {
                        report(col, type.get(), action.offset(), out);
                    }
                }
            }
        }
    }

    /** The column of a one-column PRIMARY KEY table constraint. */
    private static Optional<String> singleKeyColumn(PgStatement.TableConstraint k) {
        return k.kind() == PgStatement.ConstraintKind.PRIMARY_KEY && k.columns().size() == 1
                ? Optional.of(k.columns().get(0))
                : Optional.empty();
    }

    private static void report(String column, PgStatement.TypeName type, int offset, Reporter out) {
        if (SMALL.contains(type.base())) {
            out.report(
                    offset,
                    "primary key " + column + " is " + type.text() + ", which runs out at "
                            + (type.base().contains("small") || type.base().equals("int2")
                                    ? "32,767"
                                    : "2,147,483,647"));
        }
    }
}

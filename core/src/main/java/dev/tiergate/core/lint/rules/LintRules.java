package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.PgStatement;
import java.util.ArrayList;
import java.util.List;

/** Every SQL lint rule, in the order their findings are listed for one statement. */
public final class LintRules {
    public static final List<LintRule> ALL = List.of(
            new ClusterStatement(),
            new IndexNotConcurrent(),
            new ConcurrentlyInTransaction(),
            new MixedTransaction(),
            new ConcurrentlyFlywayLock(),
            new ConstraintNotValid(),
            new NotNullWithoutDefault(),
            new SetNotNull(),
            new ColumnTypeChange(),
            new Rename(),
            new DestructiveOutsideContract(),
            new LockTimeoutMissing(),
            new UniqueWithoutIndex(),
            new IntPrimaryKey(),
            new TimestampWithoutTimeZone(),
            new CharType(),
            new MissingIfExists(),
            new PrivilegeChange());

    private LintRules() {}

    /** The column definitions a statement writes: CREATE TABLE's columns and ALTER TABLE ... ADD COLUMN's. */
    static List<PgStatement.ColumnDef> columns(PgStatement s) {
        List<PgStatement.ColumnDef> out = new ArrayList<>();
        if (s instanceof PgStatement.CreateTable c) {
            out.addAll(c.columns());
        } else if (s instanceof PgStatement.AlterTable a) {
            for (PgStatement.Action action : a.actions()) {
                if (action instanceof PgStatement.AddColumn add) {
                    out.add(add.column());
                }
            }
        }
        return out;
    }

    /** A type a statement gives a column, and the offset of that column's definition or ALTER COLUMN. */
    record Typed(PgStatement.TypeName type, int offset) {}

    /** The types a statement gives columns: its column definitions' and ALTER COLUMN ... TYPE's. */
    static List<Typed> types(PgStatement s) {
        List<Typed> out = new ArrayList<>();
        for (PgStatement.ColumnDef c : columns(s)) {
            out.add(new Typed(c.type(), c.offset()));
        }
        if (s instanceof PgStatement.AlterTable a) {
            for (PgStatement.Action action : a.actions()) {
                if (action instanceof PgStatement.AlterColumnType t) {
                    out.add(new Typed(t.type(), action.offset()));
                }
            }
        }
        return out;
    }
}

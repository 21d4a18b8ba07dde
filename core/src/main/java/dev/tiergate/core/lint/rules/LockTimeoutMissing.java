package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link Rule#SQL_LOCK_TIMEOUT}: a lock that blocks writes to an existing table, with no lock_timeout set before it in
 * the file: ACCESS EXCLUSIVE (ALTER TABLE, DROP TABLE, DROP INDEX, TRUNCATE, DROP TRIGGER), and SHARE ROW EXCLUSIVE,
 * which CREATE TRIGGER takes on its table and a foreign key takes on the table it references (PostgreSQL 16
 * reference, "Explicit Locking", 13.3.1: SHARE ROW EXCLUSIVE "acquired by CREATE TRIGGER and some forms of ALTER
 * TABLE"; ALTER TABLE's ADD FOREIGN KEY locks the referenced table SHARE ROW EXCLUSIVE).
 */
public final class LockTimeoutMissing implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_LOCK_TIMEOUT;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (state.lockTimeoutSet()) {
            return;
        }
        if (s instanceof PgStatement.AlterTable a && state.isExisting(a.table()) && !onlyValidates(a)) {
            out.report(
                    0,
                    "ALTER TABLE " + a.table()
                            + " takes an ACCESS EXCLUSIVE lock and no lock_timeout is set before it");
        } else if (s instanceof PgStatement.Drop d && d.kind().equals("table") && anyExisting(d.names(), state)) {
            out.report(0, "DROP TABLE takes an ACCESS EXCLUSIVE lock and no lock_timeout is set before it");
        } else if (s instanceof PgStatement.Drop d && d.kind().equals("index") && !d.concurrently()) {
            // PostgreSQL's DROP INDEX reference: a normal DROP INDEX takes an ACCESS EXCLUSIVE lock on the table
            out.report(
                    0, "DROP INDEX takes an ACCESS EXCLUSIVE lock on its table and no lock_timeout is set before it");
        } else if (s instanceof PgStatement.Truncate) {
            out.report(0, "TRUNCATE takes an ACCESS EXCLUSIVE lock and no lock_timeout is set before it");
        } else if (s instanceof PgStatement.CreateTrigger c && state.isExisting(c.table())) {
            out.report(
                    0,
                    "CREATE TRIGGER takes a SHARE ROW EXCLUSIVE lock on existing table " + c.table()
                            + ", blocking its writes, and no lock_timeout is set before it");
        } else if (s instanceof PgStatement.Drop d
                && d.kind().equals("trigger")
                && d.on() != null
                && state.isExisting(d.on())) {
            out.report(
                    0,
                    "DROP TRIGGER takes an ACCESS EXCLUSIVE lock on existing table " + d.on()
                            + " and no lock_timeout is set before it");
        } else {
            Optional<PgStatement.QName> t = referencedExisting(s, state);
            if (t.isPresent()) {
                out.report(
                        0,
                        "the foreign key to existing table " + t.get() + " takes a SHARE ROW EXCLUSIVE lock on it,"
                                + " blocking its writes, and no lock_timeout is set before it");
            }
        }
    }

    // loops, not streams: a lambda's first call costs a bootstrap, and the lint runs mostly while the JVM starts
    private static boolean onlyValidates(PgStatement.AlterTable a) {
        for (PgStatement.Action x : a.actions()) {
            if (!(x instanceof PgStatement.ValidateConstraint)) {
                return false;
            }
        }
        return true;
    }

    private static boolean anyExisting(List<PgStatement.QName> names, LintState state) {
        for (PgStatement.QName n : names) {
            if (state.isExisting(n)) {
                return true;
            }
        }
        return false;
    }

    /** An existing table a foreign key in a new table (CREATE TABLE, or ALTER TABLE of a table of the set) references. */
    private static Optional<PgStatement.QName> referencedExisting(PgStatement s, LintState state) {
        List<PgStatement.QName> referenced = new ArrayList<>();
        PgStatement.QName self = null;
        if (s instanceof PgStatement.CreateTable c) {
            self = c.table();
            for (PgStatement.ColumnDef col : c.columns()) {
                referenced.add(col.referenced());
            }
            for (PgStatement.TableConstraint k : c.constraints()) {
                referenced.add(k.referenced());
            }
        } else if (s instanceof PgStatement.AlterTable a) {
            self = a.table();
            for (PgStatement.Action action : a.actions()) {
                if (action instanceof PgStatement.AddColumn add) {
                    referenced.add(add.column().referenced());
                } else if (action instanceof PgStatement.AddConstraint add) {
                    referenced.add(add.constraint().referenced());
                }
            }
        }
        for (PgStatement.QName t : referenced) {
            if (t != null && !t.key().equals(self.key()) && state.isExisting(t)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}

package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.NonTransactionalStatements;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;
import java.util.Locale;
import java.util.Optional;

/**
 * {@link Rule#SQL_MISSING_IF_EXISTS}: a statement that fails when run a second time, where PostgreSQL has the IF [NOT]
 * EXISTS that makes it succeed: CREATE TABLE (also AS) / INDEX / SEQUENCE / SCHEMA / EXTENSION / MATERIALIZED VIEW
 * without IF NOT EXISTS, every DROP without IF EXISTS (DROP OWNED has none), ALTER TABLE's ADD COLUMN without IF NOT
 * EXISTS and DROP COLUMN / DROP CONSTRAINT without IF EXISTS. Not demanded where PostgreSQL has no such clause (CREATE
 * TYPE, DOMAIN, FUNCTION, VIEW, TRIGGER; ADD CONSTRAINT). Only where a script can run a second time over its own
 * effects: a repeatable Flyway script ({@code R__}, run again whenever it changes), or a file the migration tool runs
 * outside a transaction, where a failure halfway leaves the statements before it applied. Not for a versioned
 * migration the tool applies once inside a transaction (a failure rolls it all back, and it never runs again once
 * recorded), nor inside the file's own BEGIN ... COMMIT.
 */
public final class MissingIfExists implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_MISSING_IF_EXISTS;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        Optional<String> outside = NonTransactionalStatements.inPostgres(s);
        if (state.inExplicitTransaction()
                || state.file().versioned() && state.runsInTransaction() && outside.isEmpty()) {
            return;
        }
        String rerun = " fails when re-run: "
                + (!state.file().versioned()
                        ? "Flyway runs a repeatable script again whenever it changes"
                        : outside.isPresent()
                                ? outside.get() + " runs outside any transaction, and a failed one leaves an"
                                        + " invalid index or its other effects behind"
                                : state.file().fact()
                                        + ", so a failure halfway leaves the statements before it applied");
        if (s instanceof PgStatement.CreateTable c && !c.ifNotExists()) {
            out.report(0, "CREATE TABLE " + c.table() + " without IF NOT EXISTS" + rerun);
        } else if (s instanceof PgStatement.CreateIndex i && !i.ifNotExists() && i.name() != null) {
            out.report(0, "CREATE INDEX " + i.name() + " without IF NOT EXISTS" + rerun);
        } else if (s instanceof PgStatement.CreateObject c && !c.ifNotExists()) {
            out.report(
                    0,
                    "CREATE " + c.kind().toUpperCase(Locale.ROOT) + (c.name() == null ? "" : " " + c.name())
                            + " without IF NOT EXISTS" + rerun);
        } else if (s instanceof PgStatement.Drop d && !d.ifExists() && !d.kind().equals("owned")) {
            out.report(
                    0,
                    "DROP " + d.kind().toUpperCase(Locale.ROOT)
                            + (d.names().isEmpty() ? "" : " " + d.names().get(0)) + " without IF EXISTS" + rerun);
        } else if (s instanceof PgStatement.AlterTable a) {
            for (PgStatement.Action action : a.actions()) {
                if (action instanceof PgStatement.AddColumn add && !add.ifNotExists()) {
                    out.report(action.offset(), "ADD COLUMN " + add.column().name() + " without IF NOT EXISTS" + rerun);
                } else if (action instanceof PgStatement.DropColumn d && !d.ifExists()) {
                    out.report(action.offset(), "DROP COLUMN " + d.column() + " without IF EXISTS" + rerun);
                } else if (action instanceof PgStatement.DropConstraint d && !d.ifExists()) {
                    out.report(action.offset(), "DROP CONSTRAINT " + d.name() + " without IF EXISTS" + rerun);
                }
            }
        }
    }
}

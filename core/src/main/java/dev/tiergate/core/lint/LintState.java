package dev.tiergate.core.lint;

import dev.tiergate.core.lint.PgStatement.QName;
import dev.tiergate.core.migration.Phase;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the rules know at a statement: of the migration set (tables created in it so far, CHECK (col IS NOT NULL)
 * constraints added and validated in it) and of the current file (its phase, whether Flyway runs it in a transaction,
 * an explicit BEGIN, whether lock_timeout was set). {@link SqlLint} updates it after each statement.
 */
public final class LintState {
    private final Set<String> createdTables = new HashSet<>();
    private final Map<String, Map<String, PgStatement.TypeName>> columnTypes = new HashMap<>(); // created tables only
    private final Map<String, String> notNullChecks = new HashMap<>(); // constraint name -> table.column
    private final Set<String> validatedNotNull = new HashSet<>();       // table.column
    Optional<Phase> phase = Optional.empty();
    boolean nonTransactional;
    boolean inExplicitTransaction;
    boolean lockTimeoutSet;

    /** A fresh migration set: nothing created in it yet. */
    public static LintState newMigrationSet() {
        return new LintState();
    }

    /** The start of the next file of the set: the file-level facts are reset, the set's are kept. */
    void startFile(Optional<Phase> filePhase, boolean fileNonTransactional) {
        phase = filePhase;
        nonTransactional = fileNonTransactional;
        inExplicitTransaction = false;
        lockTimeoutSet = false;
    }

    /** True unless the table was created earlier in this migration set. */
    public boolean isExisting(QName table) {
        return !createdTables.contains(table.key());
    }

    /** The type of a column of a table created earlier in this migration set, as its last ADD/ALTER left it. */
    public Optional<PgStatement.TypeName> columnType(QName table, String column) {
        return Optional.ofNullable(columnTypes.getOrDefault(table.key(), Map.of()).get(column));
    }

    public boolean hasValidatedNotNullCheck(QName table, String column) {
        return validatedNotNull.contains(table.key() + "." + column);
    }

    public Optional<Phase> phase() {
        return phase;
    }

    /** Flyway runs this script inside a transaction (its default), or the script opened one itself. */
    public boolean runsInTransaction() {
        return inExplicitTransaction || !nonTransactional;
    }

    /** Inside a BEGIN ... COMMIT the file itself opened (whatever runs it, the block is atomic). */
    public boolean inExplicitTransaction() {
        return inExplicitTransaction;
    }

    public boolean lockTimeoutSet() {
        return lockTimeoutSet;
    }

    private static void learnColumn(Map<String, PgStatement.TypeName> types, PgStatement.Action action) {
        if (action instanceof PgStatement.AddColumn add) {
            types.put(add.column().name(), add.column().type());
        } else if (action instanceof PgStatement.AlterColumnType t) {
            types.put(t.column(), t.type());
        } else if (action instanceof PgStatement.DropColumn d) {
            types.remove(d.column());
        } else if (action instanceof PgStatement.RenameColumn r && types.containsKey(r.from())) {
            types.put(r.to(), types.remove(r.from()));
        }
    }

    /** Learns from a statement after the rules saw it. */
    void after(PgStatement s) {
        if (s instanceof PgStatement.CreateTable c) {
            createdTables.add(c.table().key());
            Map<String, PgStatement.TypeName> types = new HashMap<>();
            c.columns().forEach(col -> types.put(col.name(), col.type()));
            columnTypes.put(c.table().key(), types);
            for (PgStatement.TableConstraint k : c.constraints()) {
                if (k.checkNotNullColumn() != null) {
                    validatedNotNull.add(c.table().key() + "." + k.checkNotNullColumn());
                }
            }
        } else if (s instanceof PgStatement.AlterTable a) {
            Map<String, PgStatement.TypeName> types = columnTypes.get(a.table().key());
            for (PgStatement.Action action : a.actions()) {
                if (types != null) {
                    learnColumn(types, action);
                }
                if (action instanceof PgStatement.AddConstraint add && add.constraint().checkNotNullColumn() != null) {
                    String column = a.table().key() + "." + add.constraint().checkNotNullColumn();
                    if (add.constraint().notValid()) {
                        if (add.constraint().name() != null) {
                            notNullChecks.put(add.constraint().name(), column);
                        }
                    } else {
                        validatedNotNull.add(column);
                    }
                } else if (action instanceof PgStatement.ValidateConstraint v && notNullChecks.containsKey(v.name())) {
                    validatedNotNull.add(notNullChecks.get(v.name()));
                } else if (action instanceof PgStatement.RenameTable r) {
                    if (createdTables.remove(a.table().key())) {
                        createdTables.add(r.to());
                        columnTypes.put(r.to(), columnTypes.remove(a.table().key()));
                    }
                }
            }
        } else if (s instanceof PgStatement.Drop d && d.kind().equals("table")) {
            d.names().forEach(n -> {
                createdTables.remove(n.key());
                columnTypes.remove(n.key());
            });
        } else if (s instanceof PgStatement.Transaction t) {
            inExplicitTransaction = t.begin();
        } else if (s instanceof PgStatement.SetVariable v && v.name().equals("lock_timeout")) {
            lockTimeoutSet = true;
        }
    }
}

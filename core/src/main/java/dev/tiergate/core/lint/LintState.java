package dev.tiergate.core.lint;

import dev.tiergate.core.lint.PgStatement.QName;
import dev.tiergate.core.migration.Phase;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the rules know at a statement: how the migrations run ({@link LintSettings}: the tool, the extensions tiergate
 * creates), of the migration set (tables created in it so far, CHECK (col IS NOT NULL) constraints added and validated
 * in it), of the current file (its phase, how the tool runs it, an explicit BEGIN, whether lock_timeout was set) and of
 * the current statement (the server-side functions it calls). {@link SqlLint} updates it.
 */
public final class LintState {
    private final LintSettings settings;
    private final Set<String> createdTables = new HashSet<>();
    private final Map<String, Map<String, PgStatement.TypeName>> columnTypes = new HashMap<>(); // created tables only
    private final Map<String, String> notNullChecks = new HashMap<>(); // constraint name -> table.column
    private final Set<String> validatedNotNull = new HashSet<>(); // table.column
    Optional<Phase> phase = Optional.empty();
    FileTransaction file = new FileTransaction(true, "", true, -1, -1);
    boolean flywayComment;
    boolean inExplicitTransaction;
    boolean lockTimeoutSet;
    private final Set<String> addedNotValidInFile = new HashSet<>();
    int statementIndex;
    List<PgParser.Call> calls = List.of();

    private LintState(LintSettings settings) {
        this.settings = settings;
    }

    /** A fresh migration set with the default settings (Flyway, no extensions allowed beyond the trusted ones). */
    public static LintState newMigrationSet() {
        return new LintState(LintSettings.DEFAULTS);
    }

    /** A fresh migration set: nothing created in it yet; the settings say how its files run. */
    public static LintState newMigrationSet(LintSettings settings) {
        return new LintState(settings);
    }

    /** The start of the next file of the set: the file-level facts are reset, the set's are kept. */
    void startFile(Optional<Phase> filePhase, FileTransaction transaction, boolean hasFlywayComment) {
        phase = filePhase;
        file = transaction;
        flywayComment = hasFlywayComment;
        inExplicitTransaction = false;
        lockTimeoutSet = false;
        addedNotValidInFile.clear();
        statementIndex = -1;
    }

    /** The next statement of the file, and the server-side functions it calls. */
    void startStatement(List<PgParser.Call> statementCalls) {
        statementIndex++;
        calls = statementCalls;
    }

    public LintSettings settings() {
        return settings;
    }

    /** How the tool runs the current file. */
    public FileTransaction file() {
        return file;
    }

    /** The index of the current statement in its file (0 first). */
    public int statementIndex() {
        return statementIndex;
    }

    /** The current statement's calls of functions that reach the server's files, programs or other sessions. */
    public List<PgParser.Call> serverCalls() {
        return calls;
    }

    /**
     * The file has a {@code -- flyway:executeInTransaction=false} comment. Flyway 13 does not read it (its script
     * configuration is a {@code .sql.conf} file beside the script): a finding says so where it matters.
     */
    public boolean hasFlywayComment() {
        return flywayComment;
    }

    /** Where the tool lets a statement run outside a transaction, as advice for a fix. */
    public String howToRunOutsideATransaction() {
        return FileTransaction.howToRunOutside(settings);
    }

    /** True unless the table was created earlier in this migration set. */
    public boolean isExisting(QName table) {
        return !createdTables.contains(table.key());
    }

    /** The type of a column of a table created earlier in this migration set, as its last ADD/ALTER left it. */
    public Optional<PgStatement.TypeName> columnType(QName table, String column) {
        return Optional.ofNullable(
                columnTypes.getOrDefault(table.key(), Map.of()).get(column));
    }

    public boolean hasValidatedNotNullCheck(QName table, String column) {
        return validatedNotNull.contains(table.key() + "." + column);
    }

    public Optional<Phase> phase() {
        return phase;
    }

    /** The tool runs this file inside a transaction, or the file opened one itself. */
    public boolean runsInTransaction() {
        return inExplicitTransaction || file.inTransaction();
    }

    /** Inside a BEGIN ... COMMIT the file itself opened (whatever runs it, the block is atomic). */
    public boolean inExplicitTransaction() {
        return inExplicitTransaction;
    }

    public boolean lockTimeoutSet() {
        return lockTimeoutSet;
    }

    /** A constraint of that name was added NOT VALID earlier in this file. */
    public boolean addedNotValidInThisFile(String constraint) {
        return addedNotValidInFile.contains(constraint);
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
            for (PgStatement.ColumnDef col : c.columns()) {
                types.put(col.name(), col.type());
            }
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
                if (action instanceof PgStatement.AddConstraint add
                        && add.constraint().notValid()
                        && add.constraint().name() != null) {
                    addedNotValidInFile.add(add.constraint().name());
                }
                if (action instanceof PgStatement.AddConstraint add
                        && add.constraint().checkNotNullColumn() != null) {
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
        } else if (s instanceof PgStatement.CreateObject c
                && c.kind().equals("materialized view")
                && c.name() != null) {
            createdTables.add(c.name().key()); // indexable like a table, and nobody reads it yet
        } else if (s instanceof PgStatement.Drop d
                && (d.kind().equals("table") || d.kind().equals("materialized view"))) {
            for (QName n : d.names()) {
                createdTables.remove(n.key());
                columnTypes.remove(n.key());
            }
        } else if (s instanceof PgStatement.Transaction t) {
            inExplicitTransaction = t.begin();
        } else if (s instanceof PgStatement.SetVariable v && v.name().equals("lock_timeout")) {
            lockTimeoutSet = true;
        }
    }
}

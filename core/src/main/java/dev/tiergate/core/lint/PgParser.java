package dev.tiergate.core.lint;

import dev.tiergate.core.lint.PgLexer.Kind;
import dev.tiergate.core.lint.PgLexer.Token;
import dev.tiergate.core.lint.PgStatement.Action;
import dev.tiergate.core.lint.PgStatement.ColumnDef;
import dev.tiergate.core.lint.PgStatement.ConstraintKind;
import dev.tiergate.core.lint.PgStatement.QName;
import dev.tiergate.core.lint.PgStatement.TableConstraint;
import dev.tiergate.core.lint.PgStatement.TypeName;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A recursive-descent parser of PostgreSQL's grammar (gram.y) for the statements the lint's rules read: CREATE TABLE,
 * CREATE INDEX, ALTER TABLE (every action), DROP, SET, TRUNCATE, DELETE and the transaction statements. Any other
 * statement is {@link PgStatement.Other} when its first key word starts a PostgreSQL statement. A statement that
 * does not follow the grammar throws {@link PgParseException}: the lint reports it as not analysed, never guesses.
 */
public final class PgParser {
    /** The key words a PostgreSQL statement can start with (gram.y's stmt alternatives). */
    private static final Set<String> HEADS = Set.of(
            "abort",
            "alter",
            "analyse",
            "analyze",
            "begin",
            "call",
            "checkpoint",
            "close",
            "cluster",
            "comment",
            "commit",
            "copy",
            "create",
            "deallocate",
            "declare",
            "delete",
            "discard",
            "do",
            "drop",
            "end",
            "execute",
            "explain",
            "fetch",
            "grant",
            "import",
            "insert",
            "listen",
            "load",
            "lock",
            "merge",
            "move",
            "notify",
            "prepare",
            "reassign",
            "refresh",
            "reindex",
            "release",
            "reset",
            "revoke",
            "rollback",
            "savepoint",
            "security",
            "select",
            "set",
            "show",
            "start",
            "table",
            "truncate",
            "unlisten",
            "update",
            "vacuum",
            "values",
            "with");

    private static final Set<String> COLUMN_CONSTRAINT_WORDS = Set.of(
            "not",
            "null",
            "default",
            "primary",
            "unique",
            "references",
            "check",
            "generated",
            "collate",
            "constraint",
            "using",
            "deferrable",
            "initially",
            "compression",
            "storage");
    private static final Set<String> TABLE_CONSTRAINT_WORDS =
            Set.of("constraint", "check", "foreign", "unique", "primary", "exclude");
    private static final Set<String> OTHER_ALTER_ACTIONS = Set.of(
            "owner", "enable", "disable", "set", "reset", "cluster", "inherit", "no", "replica", "attach", "detach",
            "force", "of", "not", "drop", "alter", "add");

    private final List<Token> t;
    private int p;

    private PgParser(List<Token> tokens) {
        this.t = tokens;
    }

    /** Server-side functions that reach files, programs, other databases or other sessions (the lint sees calls). */
    private static final Set<String> SERVER_FUNCTIONS = Set.of(
            "pg_read_file",
            "pg_read_binary_file",
            "pg_ls_dir",
            "pg_stat_file",
            "pg_ls_logdir",
            "pg_ls_waldir",
            "pg_ls_tmpdir",
            "pg_ls_archive_statusdir",
            "lo_import",
            "lo_export",
            "pg_terminate_backend",
            "pg_cancel_backend",
            "pg_reload_conf",
            "pg_rotate_logfile",
            // the dblink extension's functions that reach another database (PostgreSQL 16, Appendix F.12)
            "dblink",
            "dblink_exec",
            "dblink_connect",
            "dblink_connect_u",
            "dblink_open",
            "dblink_fetch",
            "dblink_send_query",
            "dblink_get_result");

    /** A statement as parsed, and the calls of {@link #SERVER_FUNCTIONS} in it outside string constants. */
    record Parsed(PgStatement statement, List<Call> calls) {}

    /** A call of a server-side function: its name in lower case and its offset in the statement. */
    public record Call(String name, int offset) {}

    /** Parses one statement (no trailing semicolon needed). */
    public static PgStatement parse(String statement) {
        return read(PgLexer.tokens(statement)).statement();
    }

    /** Parses one statement's tokens; tokens left over after a complete statement are a {@link PgParseException}. */
    static Parsed read(List<Token> tokens) {
        if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).isPunct(";")) {
            tokens = tokens.subList(0, tokens.size() - 1);
        }
        PgStatement statement = new PgParser(tokens).statement();
        return new Parsed(statement, calls(tokens));
    }

    private static List<Call> calls(List<Token> t) {
        List<Call> out = List.of();
        for (int i = 0; i + 1 < t.size(); i++) {
            Token k = t.get(i);
            if (k.kind() == Kind.WORD
                    && t.get(i + 1).isPunct("(")
                    && SERVER_FUNCTIONS.contains(k.text())
                    && !defines(t, i)) {
                if (out.isEmpty()) {
                    out = new ArrayList<>(1);
                }
                out.add(new Call(k.text(), k.offset()));
            }
        }
        return out;
    }

    /** Words before a name that define, drop or describe it rather than call it ({@code DROP FUNCTION dblink(text)}). */
    private static final Set<String> DEFINING = Set.of("function", "procedure", "routine", "aggregate", "exists");

    private static boolean defines(List<Token> t, int i) {
        int before = i > 1 && t.get(i - 1).isPunct(".") ? i - 3 : i - 1; // schema-qualified: public.dblink
        return before >= 0
                && t.get(before).kind() == Kind.WORD
                && DEFINING.contains(t.get(before).text());
    }

    /**
     * Where a second statement starts inside one the splitter read (a semicolon missing between them): the index of a
     * token at parenthesis depth 0 that is the first on its line and starts a PostgreSQL statement no statement of this
     * kind can contain there (CREATE, ALTER TABLE, DROP TABLE, INSERT INTO, UPDATE t SET, DELETE FROM, TRUNCATE, GRANT,
     * REVOKE, COMMENT ON, DO '...', REFRESH MATERIALIZED VIEW), or -1. Statements that do contain such statements are
     * not searched: CREATE SCHEMA (its elements), CREATE RULE (its actions), CREATE FUNCTION/PROCEDURE (a BEGIN ATOMIC
     * body), WITH, EXPLAIN, PREPARE, ALTER DEFAULT PRIVILEGES (its GRANT).
     */
    static int secondStatementAt(List<Token> t, String text) {
        if (t.size() < 3 || containsStatements(t)) {
            return -1;
        }
        int depth = 0;
        for (int i = 0; i < t.size(); i++) {
            Token k = t.get(i);
            if (k.isPunct("(") || k.isPunct("[")) {
                depth++;
            } else if (k.isPunct(")") || k.isPunct("]")) {
                depth--;
            } else if (i > 0
                    && depth == 0
                    && k.kind() == Kind.WORD
                    && STATEMENT_WORDS.contains(k.text())
                    && startsStatement(t, i)
                    && firstOnItsLine(t, i, text)) {
                return i;
            }
        }
        return -1;
    }

    private static final Set<String> STATEMENT_WORDS = Set.of(
            "create",
            "alter",
            "drop",
            "insert",
            "update",
            "delete",
            "truncate",
            "grant",
            "revoke",
            "comment",
            "do",
            "refresh");
    /** The objects ALTER and DROP name as statements; not an ALTER TABLE action's COLUMN, CONSTRAINT, DEFAULT, ... */
    private static final Set<String> STATEMENT_OBJECTS = Set.of(
            "table",
            "index",
            "view",
            "materialized",
            "sequence",
            "type",
            "function",
            "procedure",
            "schema",
            "extension",
            "trigger",
            "policy",
            "role",
            "user",
            "group",
            "database",
            "domain",
            "aggregate",
            "cast",
            "collation",
            "conversion",
            "event",
            "foreign",
            "language",
            "operator",
            "owned",
            "publication",
            "routine",
            "rule",
            "server",
            "statistics",
            "subscription",
            "tablespace",
            "text",
            "transform",
            "access",
            "default",
            "system",
            "large");

    private static boolean containsStatements(List<Token> t) {
        Token first = t.get(0);
        if (first.is("with") || first.is("explain") || first.is("prepare")) {
            return true;
        }
        if (first.is("alter")) {
            return t.get(1).is("default");
        }
        if (!first.is("create")) {
            return false;
        }
        int i = 1;
        if (t.get(i).is("or") && i + 2 < t.size()) {
            i += 2;
        }
        String what = t.get(i).text();
        return what.equals("schema")
                || what.equals("rule")
                || what.equals("function")
                || what.equals("procedure")
                || what.equals("trusted")
                || what.equals("language");
    }

    private static boolean startsStatement(List<Token> t, int i) {
        Token next = i + 1 < t.size() ? t.get(i + 1) : null;
        if (next == null) {
            return false;
        }
        switch (t.get(i).text()) {
            case "create":
                return next.kind() == Kind.WORD;
            case "alter":
            case "drop":
                return next.kind() == Kind.WORD
                        && STATEMENT_OBJECTS.contains(next.text())
                        && i + 2 < t.size()
                        && (t.get(i + 2).isName() || t.get(i + 2).is("if"));
            case "insert":
                return next.is("into");
            case "delete":
                return next.is("from");
            case "update":
                if (!next.isName() || next.is("set")) {
                    return false;
                }
                for (int j = i + 2; j < Math.min(t.size(), i + 6); j++) {
                    if (t.get(j).is("set")) {
                        return true;
                    }
                }
                return false;
            case "truncate": // TRUNCATE [TABLE] [ONLY] name [, ...] [RESTART|CONTINUE IDENTITY] [CASCADE|RESTRICT]
                if (next.is("table") || next.is("only")) {
                    return true;
                }
                Token after = i + 2 < t.size() ? t.get(i + 2) : null;
                return next.isName()
                        && (after == null
                                || after.isPunct(",")
                                || after.isPunct(".")
                                || after.is("cascade")
                                || after.is("restrict")
                                || after.is("restart")
                                || after.is("continue"));
            case "comment": // COMMENT ON <object kind> ...: not a table named comment before ON CONFLICT
                return next.is("on")
                        && i + 2 < t.size()
                        && (STATEMENT_OBJECTS.contains(t.get(i + 2).text())
                                || t.get(i + 2).is("column")
                                || t.get(i + 2).is("constraint")
                                || t.get(i + 2).is("procedural"));
            case "do":
                return next.kind() == Kind.STRING;
            case "refresh":
                return next.is("materialized");
            default:
                return true; // grant, revoke
        }
    }

    private static boolean firstOnItsLine(List<Token> t, int i, String text) {
        int from = t.get(i - 1).offset();
        int newline = text.lastIndexOf('\n', t.get(i).offset());
        if (newline < from) {
            return false;
        }
        for (int j = newline + 1; j < t.get(i).offset(); j++) {
            if (!Character.isWhitespace(text.charAt(j))) {
                return false;
            }
        }
        return true;
    }

    private PgStatement statement() {
        if (t.isEmpty()) {
            throw new PgParseException("empty statement", 0);
        }
        Token first = t.get(0);
        if (first.isPunct("(")) {
            return new PgStatement.Other("select"); // (SELECT ...) UNION ...
        }
        if (first.kind() != Kind.WORD || !HEADS.contains(first.text())) {
            throw new PgParseException("not a PostgreSQL statement: '" + first.text() + "'", first.offset());
        }
        switch (first.text()) {
            case "create":
                return create();
            case "alter":
                if (peekIs(1, "table")) {
                    p = 2;
                    return alterTable();
                }
                return other(3);
            case "drop":
                return drop();
            case "set":
                return set();
            case "begin":
            case "start":
                return new PgStatement.Transaction(true);
            case "commit":
            case "end":
            case "rollback":
            case "abort":
                return new PgStatement.Transaction(false);
            case "truncate":
                return truncate();
            case "delete":
                return delete();
            case "grant":
            case "revoke":
                return grant();
            case "copy":
                return copy();
            case "reindex":
                return reindex();
            default:
                return other(2);
        }
    }

    private PgStatement other(int words) {
        return otherFrom(0, words);
    }

    /** Other, named by the first key words from {@code from} on (after CREATE's modifiers), with the statement's first word. */
    private PgStatement otherFrom(int from, int words) {
        StringBuilder head = new StringBuilder(t.get(0).text());
        for (int i = Math.max(from, 1);
                i < from + words && i < t.size() && t.get(i).kind() == Kind.WORD;
                i++) {
            head.append(' ').append(t.get(i).text());
        }
        return new PgStatement.Other(head.toString());
    }

    // ---------------------------------------------------------------- CREATE

    private PgStatement create() {
        p = 1;
        acceptWord("or");
        acceptWord("replace");
        boolean unique = acceptWord("unique");
        if (acceptWord("index")) {
            return createIndex(unique);
        }
        if (unique) {
            throw error("expected INDEX after CREATE UNIQUE");
        }
        if (acceptWord("global") || acceptWord("local")) {
            // GLOBAL/LOCAL TEMP
        }
        boolean temp = acceptWord("temp") || acceptWord("temporary") || acceptWord("unlogged");
        if (acceptWord("table")) {
            return createTable();
        }
        if (peekIs(0, "materialized") && peekIs(1, "view")) {
            p += 2;
            return createObject("materialized view");
        }
        if (acceptWord("sequence") || acceptWord("schema") || acceptWord("extension")) {
            return createObject(t.get(p - 1).text());
        }
        if (peekIs(0, "trigger") || (peekIs(0, "constraint") && peekIs(1, "trigger"))) {
            return createTrigger();
        }
        if (acceptWord("function") || acceptWord("procedure")) {
            return createFunction(t.get(p - 1).text());
        }
        if (peekIs(0, "language") || peekIs(0, "trusted") || peekIs(0, "procedural")) {
            acceptWord("trusted");
            acceptWord("procedural");
            expectWord("language");
            return new PgStatement.CreateLanguage(name());
        }
        return otherFrom(p, temp ? 2 : 3);
    }

    /** CREATE [CONSTRAINT] TRIGGER name {BEFORE|AFTER|INSTEAD OF} events ON table ...: the table is after the first ON. */
    private PgStatement createTrigger() {
        acceptWord("constraint");
        expectWord("trigger");
        String name = name();
        while (p < t.size() && !t.get(p).is("on")) {
            p++;
        }
        expectWord("on");
        return new PgStatement.CreateTrigger(name, qualifiedName());
    }

    /** CREATE FUNCTION|PROCEDURE name (args) ... LANGUAGE lang ...: the language, wherever its clause stands. */
    private PgStatement createFunction(String kind) {
        String name = qualifiedName().toString();
        String language = null;
        int depth = 0;
        for (; p < t.size(); p++) {
            Token k = t.get(p);
            if (k.isPunct("(")) {
                depth++;
            } else if (k.isPunct(")")) {
                depth--;
            } else if (depth == 0
                    && k.is("language")
                    && p + 1 < t.size()
                    && (t.get(p + 1).isName() || t.get(p + 1).kind() == Kind.STRING)) {
                language = t.get(p + 1).text().toLowerCase(Locale.ROOT);
            }
        }
        return new PgStatement.CreateFunction(kind, name, language);
    }

    /**
     * CREATE SEQUENCE / SCHEMA / EXTENSION / MATERIALIZED VIEW [IF NOT EXISTS] name: the kinds other than tables and
     * indexes that have IF NOT EXISTS. The rest of the statement is not read. {@code CREATE SCHEMA AUTHORIZATION r}
     * has no name (null).
     */
    private PgStatement createObject(String kind) {
        boolean ifNotExists = acceptIfNotExists();
        QName name = kind.equals("schema") && peekIs(0, "authorization") ? null : qualifiedName();
        return new PgStatement.CreateObject(kind, name, ifNotExists);
    }

    private PgStatement createIndex(boolean unique) {
        boolean concurrently = acceptWord("concurrently");
        boolean ifNotExists = acceptIfNotExists();
        String name = null;
        if (!peekIs(0, "on")) {
            name = name();
        }
        expectWord("on");
        acceptWord("only");
        QName table = qualifiedName();
        if (!peekPunct(0, "(") && !peekIs(0, "using")) {
            throw error("expected ( or USING after the table of CREATE INDEX");
        }
        if (acceptWord("using")) {
            name();
        }
        if (!peekPunct(0, "(")) {
            throw error("expected ( after the index method");
        }
        skipParens();
        // gram.y's IndexStmt after the column list: INCLUDE, NULLS [NOT] DISTINCT, WITH, TABLESPACE, WHERE
        while (p < t.size()) {
            if (acceptWord("include") || acceptWord("with")) {
                skipParens();
            } else if (acceptWord("nulls")) {
                acceptWord("not");
                expectWord("distinct");
            } else if (acceptWord("tablespace")) {
                name();
            } else if (acceptWord("where")) {
                p = t.size(); // the predicate: an expression, read by PostgreSQL
            } else {
                throw leftOver("CREATE INDEX");
            }
        }
        return new PgStatement.CreateIndex(table, name, unique, concurrently, ifNotExists);
    }

    /** Tokens after a complete statement: PostgreSQL reads them as part of it, the lint does not guess what they do. */
    private PgParseException leftOver(String statement) {
        return error("tokens left over after a complete " + statement + ": '"
                + t.get(p).text() + "'");
    }

    private PgStatement createTable() {
        boolean ifNotExists = acceptIfNotExists();
        QName table = qualifiedName();
        List<ColumnDef> columns = new ArrayList<>();
        List<TableConstraint> constraints = new ArrayList<>();
        if (acceptWord("of") || acceptWord("partition")) {
            return new PgStatement.CreateTable(table, ifNotExists, columns, constraints);
        }
        if (!acceptPunct("(")) {
            // CREATE TABLE ... [WITH ...] [ON COMMIT ...] [TABLESPACE ...] AS query: the clauses, then AS
            trailingTableClauses(true);
            return new PgStatement.CreateTable(table, ifNotExists, columns, constraints);
        }
        if (!peekPunct(0, ")")) {
            for (List<Token> element : splitUntilClose()) {
                if (element.isEmpty()) {
                    throw error("empty table element");
                }
                Token head = element.get(0);
                if (head.kind() == Kind.WORD && TABLE_CONSTRAINT_WORDS.contains(head.text())) {
                    constraints.add(new PgParser(element).tableConstraint());
                } else if (head.is("like")) {
                    continue;
                } else {
                    columns.add(new PgParser(element).columnDef());
                }
            }
        } else {
            p++;
        }
        trailingTableClauses(false);
        return new PgStatement.CreateTable(table, ifNotExists, columns, constraints);
    }

    /**
     * gram.y's CreateStmt after the element list: INHERITS, PARTITION BY, USING, WITH/WITHOUT OIDS, ON COMMIT,
     * TABLESPACE; for CREATE TABLE AS ({@code asQuery}), the same before AS, whose query is not read.
     */
    private void trailingTableClauses(boolean asQuery) {
        while (p < t.size()) {
            if (asQuery && (acceptWord("as") || acceptWord("execute"))) {
                p = t.size();
                return;
            }
            if (acceptWord("inherits")) {
                skipParens();
            } else if (acceptWord("partition")) {
                expectWord("by");
                name();
                skipParens();
            } else if (acceptWord("using") || acceptWord("tablespace")) {
                name();
            } else if (acceptWord("with")) {
                if (!acceptWord("oids")) {
                    skipParens();
                }
            } else if (acceptWord("without")) {
                expectWord("oids");
            } else if (acceptWord("on")) {
                expectWord("commit");
                if (acceptWord("preserve") || acceptWord("delete")) {
                    expectWord("rows");
                } else {
                    expectWord("drop");
                }
            } else if (asQuery) {
                throw error("expected ( or AS after the name of CREATE TABLE");
            } else {
                throw leftOver("CREATE TABLE");
            }
        }
        if (asQuery) {
            throw error("expected ( or AS after the name of CREATE TABLE");
        }
    }

    /** At an opening parenthesis already consumed: the comma-separated elements up to the matching close. */
    private List<List<Token>> splitUntilClose() {
        List<List<Token>> out = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        int depth = 0;
        while (true) {
            if (p >= t.size()) {
                throw new PgParseException(
                        "missing )", t.isEmpty() ? 0 : t.get(t.size() - 1).offset());
            }
            Token k = t.get(p++);
            if (k.isPunct("(") || k.isPunct("[")) {
                depth++;
            } else if ((k.isPunct(")") || k.isPunct("]")) && depth > 0) {
                depth--;
            } else if (k.isPunct(")")) {
                out.add(current);
                return out;
            } else if (k.isPunct(",") && depth == 0) {
                out.add(current);
                current = new ArrayList<>();
                continue;
            }
            current.add(k);
        }
    }

    // ---------------------------------------------------------------- columns and constraints

    private ColumnDef columnDef() {
        int offset = t.get(0).offset();
        String name = name();
        TypeName type = typeName();
        boolean notNull = false;
        boolean hasDefault = false;
        boolean primaryKey = false;
        boolean unique = false;
        QName references = null;
        boolean identity = false;
        while (p < t.size()) {
            if (acceptWord("constraint")) {
                name();
            } else if (acceptWord("not")) {
                if (acceptWord("null")) {
                    notNull = true;
                } else if (acceptWord("deferrable")) {
                    continue;
                } else {
                    throw error("expected NULL after NOT");
                }
            } else if (acceptWord("null")) {
                notNull = false;
            } else if (acceptWord("default")) {
                hasDefault = true;
                skipExpression();
            } else if (acceptWord("primary")) {
                expectWord("key");
                primaryKey = true;
                notNull = true;
            } else if (acceptWord("unique")) {
                unique = true;
                acceptWord("nulls");
                acceptWord("not");
                acceptWord("distinct");
            } else if (acceptWord("references")) {
                references = qualifiedName();
                skipParens();
                skipReferenceOptions();
            } else if (acceptWord("check")) {
                skipParens();
                acceptNoInherit();
            } else if (acceptWord("generated")) {
                if (acceptWord("always") || (acceptWord("by") && expectWord("default"))) {
                    expectWord("as");
                    if (acceptWord("identity")) {
                        identity = true;
                        hasDefault = true;
                        skipParens();
                    } else {
                        skipParens();
                        acceptWord("stored");
                        acceptWord("virtual");
                        hasDefault = true;
                    }
                } else {
                    throw error("expected ALWAYS or BY DEFAULT after GENERATED");
                }
            } else if (acceptWord("collate")) {
                qualifiedName();
            } else if (acceptWord("deferrable") || acceptWord("initially")) {
                acceptWord("deferred");
                acceptWord("immediate");
            } else if (acceptWord("compression") || acceptWord("storage")) {
                name();
            } else {
                throw error("unexpected '" + t.get(p).text() + "' in a column definition");
            }
        }
        if (Set.of("serial", "bigserial", "smallserial").contains(type.base())) {
            // PostgreSQL's "Serial Types": integer NOT NULL DEFAULT nextval('t_col_seq'); rows get values from it
            notNull = true;
            hasDefault = true;
        }
        return new ColumnDef(name, type, notNull, hasDefault, primaryKey, unique, references, identity, offset);
    }

    private void skipReferenceOptions() {
        while (p < t.size()) {
            if (acceptWord("match")) {
                name();
            } else if (acceptWord("on")) {
                if (!acceptWord("delete") && !acceptWord("update")) {
                    throw error("expected DELETE or UPDATE after ON");
                }
                if (acceptWord("no")) {
                    expectWord("action");
                } else if (acceptWord("set")) {
                    if (!acceptWord("null") && !acceptWord("default")) {
                        throw error("expected NULL or DEFAULT after SET");
                    }
                    skipParens();
                } else if (!acceptWord("cascade") && !acceptWord("restrict")) {
                    throw error("expected a referential action");
                }
            } else {
                return;
            }
        }
    }

    private void acceptNoInherit() {
        if (peekIs(0, "no") && peekIs(1, "inherit")) {
            p += 2;
        }
    }

    /** A table constraint, from CONSTRAINT name or the kind's key word. */
    private TableConstraint tableConstraint() {
        int offset = t.get(p).offset();
        String name = null;
        if (acceptWord("constraint")) {
            name = name();
        }
        ConstraintKind kind;
        String usingIndex = null;
        String checkNotNull = null;
        List<String> columns = List.of();
        QName referenced = null;
        if (acceptWord("check")) {
            kind = ConstraintKind.CHECK;
            checkNotNull = checkIsNotNullColumn();
            acceptNoInherit();
        } else if (acceptWord("foreign")) {
            expectWord("key");
            kind = ConstraintKind.FOREIGN_KEY;
            skipParens();
            expectWord("references");
            referenced = qualifiedName();
            skipParens();
            skipReferenceOptions();
        } else if (acceptWord("unique") || (acceptWord("primary") && expectWord("key"))) {
            kind = t.get(p - 1).is("unique") ? ConstraintKind.UNIQUE : ConstraintKind.PRIMARY_KEY;
            acceptWord("nulls");
            acceptWord("not");
            acceptWord("distinct");
            if (acceptWord("using")) {
                expectWord("index");
                usingIndex = name();
            } else {
                columns = columnList();
                skipIndexParameters();
            }
        } else if (acceptWord("exclude")) {
            kind = ConstraintKind.EXCLUDE;
            skipRest();
        } else if (acceptWord("not")) {
            expectWord("null");
            kind = ConstraintKind.NOT_NULL;
            columns = List.of(name());
        } else {
            throw error("expected a constraint");
        }
        boolean notValid = false;
        while (p < t.size()) {
            if (acceptWord("not")) {
                if (acceptWord("valid")) {
                    notValid = true;
                } else {
                    expectWord("deferrable");
                }
            } else if (acceptWord("deferrable") || acceptWord("initially")) {
                acceptWord("deferred");
                acceptWord("immediate");
            } else {
                break;
            }
        }
        if (p < t.size()) {
            throw error("unexpected '" + t.get(p).text() + "' after a constraint");
        }
        return new TableConstraint(name, kind, columns, notValid, usingIndex, checkNotNull, referenced, offset);
    }

    /** {@code ( name [, ...] [WITHOUT OVERLAPS] )}: gram.y's columnList, as a key's columns are written (PG 18 adds the last). */
    private List<String> columnList() {
        expectPunct("(");
        List<String> out = new ArrayList<>();
        do {
            out.add(name());
        } while (acceptPunct(","));
        if (acceptWord("without")) {
            expectWord("overlaps");
        }
        expectPunct(")");
        return out;
    }

    private void skipIndexParameters() {
        while (p < t.size()) {
            if (acceptWord("include")) {
                skipParens();
            } else if (acceptWord("with")) {
                skipParens();
            } else if (peekIs(0, "using") && peekIs(1, "index") && peekIs(2, "tablespace")) {
                p += 3;
                name();
            } else {
                return;
            }
        }
    }

    /** After CHECK: the parenthesised condition; the column when it is exactly {@code col IS NOT NULL}. */
    private String checkIsNotNullColumn() {
        int start = p;
        expectPunct("(");
        int depth = 1;
        while (depth > 0) {
            if (p >= t.size()) {
                throw error("missing )");
            }
            Token k = t.get(p++);
            if (k.isPunct("(")) {
                depth++;
            } else if (k.isPunct(")")) {
                depth--;
            }
        }
        List<Token> inner = t.subList(start + 1, p - 1);
        while (inner.size() >= 2
                && inner.get(0).isPunct("(")
                && inner.get(inner.size() - 1).isPunct(")")) {
            inner = inner.subList(1, inner.size() - 1);
        }
        if (inner.size() == 4
                && inner.get(0).isName()
                && inner.get(1).is("is")
                && inner.get(2).is("not")
                && inner.get(3).is("null")) {
            return inner.get(0).text();
        }
        return null;
    }

    /**
     * A type name: words (with {@code .} for schema-qualified ones), an optional modifier list in parentheses, and
     * array brackets. It ends at a column-constraint key word, a comma or the end.
     */
    private TypeName typeName() {
        StringBuilder text = new StringBuilder();
        List<String> words = new ArrayList<>();
        String modifiers = "";
        while (p < t.size()) {
            Token k = t.get(p);
            if (k.kind() == Kind.WORD && COLUMN_CONSTRAINT_WORDS.contains(k.text()) && !words.isEmpty()) {
                break;
            }
            if (k.isName()) {
                words.add(k.text());
                text.append(text.length() == 0 || text.charAt(text.length() - 1) == '.' ? "" : " ")
                        .append(k.text());
                p++;
            } else if (k.isPunct(".")) {
                text.append('.');
                p++;
            } else if (k.isPunct("(")) {
                int from = p;
                skipParens();
                StringBuilder m = new StringBuilder("(");
                for (int i = from + 1; i < p - 1; i++) {
                    m.append(t.get(i).text());
                }
                modifiers = m.append(')').toString();
                text.append(modifiers);
            } else if (k.isPunct("[")) {
                while (p < t.size() && !t.get(p).isPunct("]")) {
                    p++;
                }
                expectPunct("]");
                text.append("[]");
            } else {
                break;
            }
        }
        if (words.isEmpty()) {
            throw error("expected a type");
        }
        return new TypeName(canonical(words), text.toString());
    }

    /** PostgreSQL's own name for a type (its SQL-standard spellings folded), e.g. integer → int4. */
    static String canonical(List<String> words) {
        String w = words.size() == 1 ? words.get(0) : String.join(" ", words); // most types are one word
        String last = words.get(words.size() - 1);
        if (words.size() > 1
                && !w.startsWith("timestamp")
                && !w.startsWith("time ")
                && !w.startsWith("character")
                && !w.startsWith("double")
                && !w.startsWith("bit ")
                && !w.startsWith("national")) {
            return w; // schema-qualified or unusual: keep as written
        }
        return switch (w) {
            case "int", "integer", "int4" -> "int4";
            case "smallint", "int2" -> "int2";
            case "bigint", "int8" -> "int8";
            case "serial", "serial4" -> "serial";
            case "bigserial", "serial8" -> "bigserial";
            case "smallserial", "serial2" -> "smallserial";
            case "timestamp", "timestamp without time zone" -> "timestamp";
            case "timestamptz", "timestamp with time zone" -> "timestamptz";
            case "char", "character", "bpchar", "national character", "nchar" -> "bpchar";
            case "varchar", "character varying", "national character varying" -> "varchar";
            default -> last.equals("zone") ? w : w;
        };
    }

    private void skipExpression() {
        int depth = 0;
        while (p < t.size()) {
            Token k = t.get(p);
            if (k.isPunct("(") || k.isPunct("[")) {
                depth++;
            } else if (k.isPunct(")") || k.isPunct("]")) {
                depth--;
            } else if (depth == 0
                    && k.kind() == Kind.WORD
                    && COLUMN_CONSTRAINT_WORDS.contains(k.text())
                    && !k.is("null")
                    && !(k.is("not")
                            && p + 1 < t.size()
                            && !t.get(p + 1).is("null")
                            && !t.get(p + 1).is("deferrable"))) {
                return;
            }
            p++;
        }
    }

    // ---------------------------------------------------------------- ALTER TABLE

    private PgStatement alterTable() {
        if (peekIs(0, "all") && peekIs(1, "in")) {
            return other(3); // ALTER TABLE ALL IN TABLESPACE
        }
        boolean ifExists = acceptIfExists();
        acceptWord("only");
        QName table = qualifiedName();
        if (p < t.size() && t.get(p).kind() == Kind.OP && t.get(p).text().equals("*")) {
            p++;
        }
        if (p >= t.size()) {
            throw error("expected an action after ALTER TABLE " + table);
        }
        List<Action> actions = new ArrayList<>();
        List<List<Token>> parts = splitActions();
        for (List<Token> part : parts) {
            actions.add(new PgParser(part).action());
        }
        return new PgStatement.AlterTable(table, ifExists, actions);
    }

    private List<List<Token>> splitActions() {
        List<List<Token>> out = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        int depth = 0;
        for (; p < t.size(); p++) {
            Token k = t.get(p);
            if (k.isPunct("(") || k.isPunct("[")) {
                depth++;
            } else if (k.isPunct(")") || k.isPunct("]")) {
                depth--;
            } else if (k.isPunct(",") && depth == 0) {
                out.add(current);
                current = new ArrayList<>();
                continue;
            }
            current.add(k);
        }
        out.add(current);
        return out;
    }

    private Action action() {
        if (t.isEmpty()) {
            throw new PgParseException("empty ALTER TABLE action", 0);
        }
        int offset = t.get(0).offset();
        if (acceptWord("add")) {
            if (p < t.size()
                    && t.get(p).kind() == Kind.WORD
                    && TABLE_CONSTRAINT_WORDS.contains(t.get(p).text())) {
                return new PgStatement.AddConstraint(tableConstraint(), offset);
            }
            acceptWord("column");
            boolean ifNotExists = acceptIfNotExists();
            return new PgStatement.AddColumn(columnDef(), ifNotExists, offset);
        }
        if (acceptWord("drop")) {
            if (acceptWord("constraint")) {
                boolean ifExists = acceptIfExists();
                return endOfAction(new PgStatement.DropConstraint(name(), ifExists, offset), true);
            }
            acceptWord("column");
            boolean ifExists = acceptIfExists();
            String column = name();
            return endOfAction(new PgStatement.DropColumn(column, ifExists, offset), true);
        }
        if (acceptWord("alter")) {
            if (acceptWord("constraint")) {
                return new PgStatement.OtherAction("alter constraint", offset);
            }
            acceptWord("column");
            String column = name();
            if (peekIs(0, "set") && peekIs(1, "data") && peekIs(2, "type")) {
                p += 2;
            }
            if (acceptWord("type")) {
                TypeName type = typeName();
                if (p < t.size()) {
                    if (t.get(p).is("collate")) {
                        p += 2;
                    }
                    if (p < t.size() && !t.get(p).is("using")) {
                        throw error("unexpected '" + t.get(p).text() + "' after the type");
                    }
                }
                return new PgStatement.AlterColumnType(column, type, offset);
            }
            if (peekIs(0, "set") && peekIs(1, "not") && peekIs(2, "null")) {
                p += 3;
                return endOfAction(new PgStatement.SetNotNull(column, offset), false);
            }
            if (p < t.size()
                    && Set.of("set", "drop", "reset", "add", "restart", "options")
                            .contains(t.get(p).text())) {
                return new PgStatement.OtherAction("alter column " + t.get(p).text(), offset);
            }
            throw error("unexpected ALTER COLUMN action");
        }
        if (acceptWord("rename")) {
            if (acceptWord("to")) {
                return endOfAction(new PgStatement.RenameTable(name(), offset), false);
            }
            if (acceptWord("constraint")) {
                name();
                expectWord("to");
                name();
                return new PgStatement.OtherAction("rename constraint", offset);
            }
            acceptWord("column");
            String from = name();
            expectWord("to");
            return endOfAction(new PgStatement.RenameColumn(from, name(), offset), false);
        }
        if (acceptWord("validate")) {
            expectWord("constraint");
            return endOfAction(new PgStatement.ValidateConstraint(name(), offset), false);
        }
        if (acceptWord("set") && (acceptWord("schema") || acceptWord("tablespace"))) {
            return new PgStatement.OtherAction("set " + t.get(p - 1).text(), offset);
        }
        p = 0;
        Token head = t.get(0);
        if (head.kind() == Kind.WORD && OTHER_ALTER_ACTIONS.contains(head.text())) {
            StringBuilder words = new StringBuilder(head.text());
            for (int i = 1; i < 5 && i < t.size() && t.get(i).kind() == Kind.WORD; i++) {
                words.append(' ').append(t.get(i).text());
            }
            return new PgStatement.OtherAction(words.toString(), offset);
        }
        throw new PgParseException("not an ALTER TABLE action: '" + head.text() + "'", head.offset());
    }

    private Action endOfAction(Action a, boolean dropBehaviour) {
        if (dropBehaviour && (acceptWord("cascade") || acceptWord("restrict"))) {
            // fine
        }
        if (p < t.size()) {
            throw error("unexpected '" + t.get(p).text() + "'");
        }
        return a;
    }

    // ---------------------------------------------------------------- DROP, SET, TRUNCATE, DELETE

    /** DROP's object kinds of more than one word (the PostgreSQL 18 reference, "SQL Commands", DROP ...). */
    private static final List<String> DROP_KINDS = List.of(
            "access method",
            "event trigger",
            "foreign data wrapper",
            "foreign table",
            "materialized view",
            "operator class",
            "operator family",
            "text search configuration",
            "text search dictionary",
            "text search parser",
            "text search template",
            "user mapping",
            "owned");
    /** The kinds whose names the rules read: a comma-separated list of qualified names, nothing else. */
    private static final Set<String> DROP_NAMED = Set.of(
            "table",
            "index",
            "view",
            "materialized view",
            "sequence",
            "type",
            "domain",
            "schema",
            "extension",
            "foreign table",
            "collation",
            "conversion",
            "statistics");

    private static final List<String[]> DROP_KIND_WORDS = words(DROP_KINDS);

    /**
     * Each phrase split into its words. A loop, as the lint's other start-up paths have: a corpus lint that runs no
     * lambda never starts the JVM's lambda machinery (BENCHMARKS.md, "SQL lint").
     */
    private static List<String[]> words(List<String> phrases) {
        List<String[]> out = new ArrayList<>(phrases.size());
        for (String k : phrases) {
            out.add(k.split(" "));
        }
        return out;
    }

    private PgStatement drop() {
        p = 1;
        String k = null;
        for (int m = 0; m < DROP_KINDS.size(); m++) {
            String multi = DROP_KINDS.get(m);
            String[] words = DROP_KIND_WORDS.get(m);
            boolean match = true;
            for (int i = 0; i < words.length && match; i++) {
                match = peekIs(i, words[i]);
            }
            if (match) {
                k = multi;
                p += words.length;
                break;
            }
        }
        if (k == null) {
            k = name();
        }
        boolean concurrently = acceptWord("concurrently");
        boolean ifExists = acceptIfExists();
        List<QName> names = new ArrayList<>();
        if (DROP_NAMED.contains(k)) {
            names.add(qualifiedName());
            while (acceptPunct(",")) {
                names.add(qualifiedName());
            }
            acceptWord("cascade");
            acceptWord("restrict");
            if (p < t.size()) {
                throw error("unexpected '" + t.get(p).text() + "' in DROP " + k.toUpperCase(Locale.ROOT));
            }
        } else if (p < t.size() && t.get(p).isName()) {
            names.add(
                    new QName(null, t.get(p).text())); // e.g. DROP FUNCTION f(int), DROP TRIGGER x ON t: its first name
        }
        QName on = null;
        if ((k.equals("trigger") || k.equals("policy") || k.equals("rule"))
                && p + 2 < t.size()
                && t.get(p + 1).is("on")) {
            p += 2;
            on = qualifiedName();
        }
        return new PgStatement.Drop(k, names, ifExists, concurrently, on);
    }

    private PgStatement set() {
        p = 1;
        boolean local = acceptWord("local");
        acceptWord("session");
        if (p < t.size() && t.get(p).isName()) {
            StringBuilder name = new StringBuilder(t.get(p++).text());
            while (acceptPunct(".") && p < t.size()) {
                name.append('.').append(t.get(p++).text());
            }
            acceptWord("to");
            if (p < t.size() && t.get(p).kind() == Kind.OP && t.get(p).text().equals("=")) {
                p++;
            }
            String value = p < t.size() ? t.get(p).text().toLowerCase(Locale.ROOT) : null;
            return new PgStatement.SetVariable(name.toString(), local, value);
        }
        return new PgStatement.Other("set");
    }

    private PgStatement truncate() {
        p = 1;
        acceptWord("table");
        acceptWord("only");
        List<QName> tables = new ArrayList<>();
        tables.add(qualifiedName());
        acceptStar();
        while (acceptPunct(",")) {
            acceptWord("only");
            tables.add(qualifiedName());
            acceptStar();
        }
        if (acceptWord("restart") || acceptWord("continue")) {
            expectWord("identity");
        }
        if (!acceptWord("cascade")) {
            acceptWord("restrict");
        }
        if (p < t.size()) {
            throw leftOver("TRUNCATE");
        }
        return new PgStatement.Truncate(tables);
    }

    private void acceptStar() {
        if (p < t.size() && t.get(p).kind() == Kind.OP && t.get(p).text().equals("*")) {
            p++;
        }
    }

    /** Object kinds after GRANT/REVOKE ... ON, longest first (the PostgreSQL 18 GRANT reference). */
    private static final List<String[]> GRANT_KINDS = words(List.of(
            "all tables in schema",
            "all sequences in schema",
            "all functions in schema",
            "all procedures in schema",
            "all routines in schema",
            "foreign data wrapper",
            "foreign server",
            "large object",
            "table",
            "sequence",
            "database",
            "domain",
            "function",
            "procedure",
            "routine",
            "language",
            "parameter",
            "schema",
            "tablespace",
            "type"));

    /**
     * GRANT/REVOKE: of privileges ON an object kind, or of role membership (no ON at depth 0 before TO/FROM). Its
     * parts are not read further: the rules need the kind only.
     */
    private PgStatement grant() {
        boolean grant = t.get(0).is("grant");
        int depth = 0;
        for (p = 1; p < t.size(); p++) {
            Token k = t.get(p);
            if (k.isPunct("(")) {
                depth++;
            } else if (k.isPunct(")")) {
                depth--;
            } else if (depth == 0 && k.is("on")) {
                p++;
                for (String[] words : GRANT_KINDS) {
                    boolean match = true;
                    for (int i = 0; i < words.length && match; i++) {
                        match = peekIs(i, words[i]);
                    }
                    if (match) {
                        return new PgStatement.Grant(grant, String.join(" ", words));
                    }
                }
                return new PgStatement.Grant(grant, "table");
            } else if (depth == 0 && (k.is("to") || k.is("from"))) {
                break;
            }
        }
        return new PgStatement.Grant(grant, "role");
    }

    /** COPY table [(columns)] | (query) FROM|TO STDIN|STDOUT|PROGRAM 'cmd'|'file' ... */
    private PgStatement copy() {
        p = 1;
        if (peekPunct(0, "(")) {
            skipParens();
        } else {
            qualifiedName();
            skipParens();
        }
        boolean from = acceptWord("from");
        if (!from && !acceptWord("to")) {
            throw error("expected FROM or TO in COPY");
        }
        PgStatement.Copy.Target target;
        if (acceptWord("program")) {
            target = PgStatement.Copy.Target.PROGRAM;
        } else if (acceptWord("stdin") || acceptWord("stdout")) {
            target = PgStatement.Copy.Target.CLIENT;
        } else if (p < t.size() && t.get(p).kind() == Kind.STRING) {
            target = PgStatement.Copy.Target.SERVER_FILE;
        } else {
            throw error("expected STDIN, STDOUT, PROGRAM or a file name in COPY");
        }
        return new PgStatement.Copy(from, target);
    }

    /** REINDEX [(options)] [VERBOSE] INDEX|TABLE|SCHEMA|DATABASE|SYSTEM [CONCURRENTLY] name. */
    private PgStatement reindex() {
        p = 1;
        boolean concurrently = false;
        if (peekPunct(0, "(")) {
            int from = p;
            skipParens();
            for (int i = from; i < p; i++) {
                concurrently |= t.get(i).is("concurrently");
            }
        }
        acceptWord("verbose");
        String kind = p < t.size() ? t.get(p++).text() : "";
        concurrently |= acceptWord("concurrently");
        return new PgStatement.Reindex(kind, concurrently);
    }

    private PgStatement delete() {
        p = 1;
        expectWord("from");
        acceptWord("only");
        QName table = qualifiedName();
        boolean where = false;
        int depth = 0;
        for (; p < t.size(); p++) {
            Token k = t.get(p);
            if (k.isPunct("(")) {
                depth++;
            } else if (k.isPunct(")")) {
                depth--;
            } else if (depth == 0 && k.is("where")) {
                where = true;
            }
        }
        return new PgStatement.Delete(table, where);
    }

    // ---------------------------------------------------------------- small pieces

    private QName qualifiedName() {
        String first = name();
        if (acceptPunct(".")) {
            String second = name();
            if (acceptPunct(".")) {
                return new QName(second, name());
            }
            return new QName(first, second);
        }
        return new QName(null, first);
    }

    private String name() {
        if (p >= t.size() || !t.get(p).isName()) {
            throw error("expected a name");
        }
        return t.get(p++).text();
    }

    private boolean acceptIfNotExists() {
        if (peekIs(0, "if") && peekIs(1, "not") && peekIs(2, "exists")) {
            p += 3;
            return true;
        }
        return false;
    }

    private boolean acceptIfExists() {
        if (peekIs(0, "if") && peekIs(1, "exists")) {
            p += 2;
            return true;
        }
        return false;
    }

    private void skipParens() {
        if (!peekPunct(0, "(")) {
            return;
        }
        int depth = 0;
        do {
            if (p >= t.size()) {
                throw error("missing )");
            }
            Token k = t.get(p++);
            if (k.isPunct("(")) {
                depth++;
            } else if (k.isPunct(")")) {
                depth--;
            }
        } while (depth > 0);
    }

    private void skipRest() {
        while (p < t.size()
                && !(t.get(p).is("not") && peekIs(1, "valid"))
                && !t.get(p).is("deferrable")
                && !t.get(p).is("initially")) {
            p++;
        }
    }

    private boolean peekIs(int ahead, String word) {
        return p + ahead < t.size() && t.get(p + ahead).is(word);
    }

    private boolean peekPunct(int ahead, String punct) {
        return p + ahead < t.size() && t.get(p + ahead).isPunct(punct);
    }

    private boolean acceptWord(String word) {
        if (peekIs(0, word)) {
            p++;
            return true;
        }
        return false;
    }

    private boolean acceptPunct(String punct) {
        if (peekPunct(0, punct)) {
            p++;
            return true;
        }
        return false;
    }

    private boolean expectWord(String word) {
        if (!acceptWord(word)) {
            throw error("expected " + word.toUpperCase(Locale.ROOT));
        }
        return true;
    }

    private void expectPunct(String punct) {
        if (!acceptPunct(punct)) {
            throw error("expected " + punct);
        }
    }

    private PgParseException error(String message) {
        int offset = p < t.size()
                ? t.get(p).offset()
                : (t.isEmpty() ? 0 : t.get(t.size() - 1).offset());
        return new PgParseException(message, offset);
    }
}

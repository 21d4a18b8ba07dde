package dev.tiergate.server.migrate;

import dev.tiergate.core.lint.PgLexer;
import dev.tiergate.server.backend.BranchConnection;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;

/**
 * Loads a tier's seed, a plain-SQL dump as {@code pg_dump --format=plain} writes it, in one transaction: its statements
 * one by one, each {@code COPY … FROM stdin;} block with the rows that follow it up to {@code \.} (through the driver's
 * COPY protocol), psql meta-commands ({@code \connect}, {@code \restrict}) skipped. A dump of a database Flyway
 * migrated carries {@code flyway_schema_history}, so the migrations newer than the dump run on top of it. The seed is
 * repository content: it runs as the tier's migration role inside a {@code MigrationSession}, and pg_dump's
 * {@code ALTER … OWNER TO} lines are skipped (the role may not give objects away, and they belong to the owner role).
 */
public final class SeedLoader {
    /** {@code ALTER <object> … OWNER TO <role>}, as pg_dump writes it unless told {@code --no-owner}. */
    private static final Pattern OWNER = Pattern.compile("(?is)^\\s*ALTER\\s+.*\\s+OWNER\\s+TO\\s+\\S+\\s*;?\\s*$");

    private static final Pattern COPY = Pattern.compile("(?im)^(COPY\\s+[^;]*?\\s+FROM\\s+stdin\\s*;)[ \\t]*\\r?\\n");

    private SeedLoader() {}

    /** Loads {@code sql} into the database; all or nothing. Returns the number of statements and COPY blocks run. */
    public static int load(BranchConnection db, String sql) {
        int count = 0;
        try (Connection c = FlywayRunner.connect(db)) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                int at = 0;
                Matcher m = COPY.matcher(sql);
                while (m.find(at)) {
                    count += statements(st, sql.substring(at, m.start()));
                    int end = sql.indexOf("\n\\.", m.end() - 1);
                    if (end < 0) {
                        throw new IllegalArgumentException("COPY block without its closing \\. line: " + m.group(1));
                    }
                    String rows = sql.substring(m.end(), end + 1);
                    c.unwrap(PGConnection.class).getCopyAPI().copyIn(m.group(1), new StringReader(rows));
                    count++;
                    int next = sql.indexOf('\n', end + 1);
                    at = next < 0 ? sql.length() : next + 1;
                }
                count += statements(st, sql.substring(at));
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw new IllegalStateException("cannot load the seed into " + db + ": " + e.getMessage(), e);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot load the seed into " + db + ": " + e.getMessage(), e);
        }
        return count;
    }

    private static int statements(Statement st, String sql) throws SQLException {
        int n = 0;
        for (PgLexer.Statement s : PgLexer.statements(sql)) { // psql's own commands and comments are no statements
            if (OWNER.matcher(s.text()).find()) {
                continue; // pg_dump's ownership lines: what the seed makes belongs to the repository's owner role
            }
            st.execute(s.text());
            n++;
        }
        return n;
    }
}

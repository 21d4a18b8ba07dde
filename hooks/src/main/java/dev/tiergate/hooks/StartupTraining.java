package dev.tiergate.hooks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What install.sh runs, in a repository it prepared (a claimed branch with a staged migration and state file), to
 * record what tiergate loads, in two parts, each in its own JVM: {@code hooks}, a pre-commit (what every commit that
 * touches the database loads); {@code cli}, {@code tiergate lint} in each output format and {@code tiergate check}
 * (the history walk pre-push shares). No argument runs both. On JDK 25 and later each recording is an ahead-of-time
 * cache of loaded and linked classes and method profiles ({@code -XX:AOTCacheOutput}, JEPs 483, 514, 515), made
 * from one training run; such a cache loads all its classes when the JVM starts, so the commit hooks get one without
 * JGit and the lint's formats. On older JDKs it is the class list of an AppCDS archive. Output is thrown away: only
 * what the JVM loads matters. The lint also reads {@link #LINT_TRAINING}, a file of the statement kinds real migrations
 * have, so that the parser's and rules' classes and lambdas are in the {@code cli} cache: a class or lambda missing
 * from it is loaded or linked while a corpus lint runs (BENCHMARKS.md, "SQL lint").
 */
public final class StartupTraining {
    private StartupTraining() {}

    /** {@link #LINT_TRAINING} in a temporary folder (deleted when the JVM exits), or null when it cannot be written. */
    private static String lintTraining() {
        try {
            Path dir = Files.createTempDirectory("tiergate-training");
            Path file = Files.writeString(dir.resolve("V1__training.sql"), LINT_TRAINING);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return dir.toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** Statements of the kinds the corpora have, each rule's finding among them; never run, only linted. */
    static final String LINT_TRAINING = """
            SET lock_timeout = '2s';
            CREATE TABLE IF NOT EXISTS crate (id serial PRIMARY KEY, name varchar(64) NOT NULL UNIQUE, code char(3),
                created_at timestamp DEFAULT now(), owner_id int REFERENCES users (id) ON DELETE CASCADE,
                CONSTRAINT crate_name_check CHECK (name <> ''), FOREIGN KEY (code) REFERENCES codes (code));
            CREATE UNIQUE INDEX IF NOT EXISTS crate_name ON crate USING btree (lower(name)) WHERE name IS NOT NULL;
            CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer ON orders (customer_id);
            ALTER TABLE orders ADD COLUMN note text NOT NULL DEFAULT '', ADD COLUMN crate_id int REFERENCES crate,
                ALTER COLUMN total TYPE numeric(12, 2), ALTER COLUMN region SET NOT NULL, RENAME COLUMN a TO b,
                DROP COLUMN IF EXISTS legacy, ADD CONSTRAINT orders_fk FOREIGN KEY (c) REFERENCES customers NOT VALID,
                ADD CONSTRAINT orders_key UNIQUE (number), ENABLE ROW LEVEL SECURITY, OWNER TO app;
            ALTER TABLE orders VALIDATE CONSTRAINT orders_fk;
            ALTER TABLE orders RENAME TO purchases;
            DROP TABLE IF EXISTS legacy, legacy_2 CASCADE;
            DROP INDEX orders_old;
            DROP TRIGGER IF EXISTS orders_audit ON orders;
            CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit();
            CREATE OR REPLACE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
            CREATE MATERIALIZED VIEW crate_stats AS SELECT 1;
            CREATE EXTENSION IF NOT EXISTS pgcrypto;
            CREATE TYPE mood AS ENUM ('sad', 'ok');
            GRANT SELECT ON crate TO app;
            COPY codes (code) FROM STDIN;
            abc
            \\.
            TRUNCATE audit_log;
            DELETE FROM sessions;
            UPDATE crate SET name = lower(name) WHERE id > 0;
            INSERT INTO codes VALUES ('x') ON CONFLICT DO NOTHING;
            CREATE INDEX crate_owner ON crate (owner_id)
            DROP VIEW crate_view;
            """;

    public static void main(String[] args) {
        String part = args.length == 0 ? "all" : args[0];
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        if (part.equals("hooks") || part.equals("all")) {
            Main.run(new String[] {"pre-commit"}, InputStream.nullInputStream(), sink, sink);
        }
        if (part.equals("cli") || part.equals("all")) {
            String training = lintTraining();
            for (String format : new String[] {"text", "json", "sarif"}) {
                Main.run(
                        new String[] {"lint", "--format", format, "db/migration"},
                        InputStream.nullInputStream(),
                        sink,
                        sink);
                if (training != null) {
                    Main.run(
                            new String[] {
                                "lint", "--each-file-alone", "--assume-in-transaction", "--format", format, training
                            },
                            InputStream.nullInputStream(),
                            sink,
                            sink);
                }
            }
            // pre-commit does not load JGit; pre-push and check walk history with it
            Main.run(new String[] {"check"}, InputStream.nullInputStream(), sink, sink);
        }
    }
}

package dev.tiergate.server.backend.neon;

import dev.tiergate.core.masking.MaskingMethod;
import dev.tiergate.core.policy.Masking;
import dev.tiergate.server.backend.BackendException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The policy's masking rules as Neon's: each method becomes a PostgreSQL Anonymizer expression
 * ({@code masking_function}) or an SQL literal ({@code masking_value}), which Neon applies with static masking when
 * anonymization runs (https://neon.com/docs/workflows/data-anonymization; the functions:
 * https://postgresql-anonymizer.readthedocs.io/en/latest/masking_functions/). Where anon has a deterministic function
 * it is used, so a value masks to the same value in every table and a join on a masked column survives, as with
 * tiergate's own SQL masking:
 *
 * <ul>
 *   <li>{@code hash}: {@code anon.hash(col)}, the SHA-256 of the value salted with the database's {@code anon.salt}
 *       (anon's "Generic hashing"; the salt stays out of the rule, unlike {@code anon.digest});
 *   <li>{@code fake_email}: {@code anon.pseudo_email(col)} (anon's "Pseudonymization": the same fake for the same
 *       seed);
 *   <li>{@code fake_name}: {@code pg_catalog.concat(anon.pseudo_first_name(col), ' ', anon.pseudo_last_name(col))}
 *       (Neon's docs combine {@code pg_catalog} functions with anon's the same way, e.g.
 *       {@code pg_catalog.concat(anon.dummy_uuidv4(), '@example.com')});
 *   <li>{@code fake_phone}: anon has no deterministic phone ({@code anon.random_phone} and {@code dummy_phone_number}
 *       are random), so {@code +1 555 } and seven digits taken from {@code anon.hash(col)}, the shape tiergate's SQL
 *       masking gives;
 *   <li>{@code partial(a, b)}: {@code anon.partial(col, a, '***', b)} (anon's "Partial scrambling");
 *   <li>{@code null}: {@code masking_value} {@code NULL}, and {@code constant(v)}: {@code masking_value} {@code 'v'}
 *       (Neon: "Static literal value (e.g., 'REDACTED', 0, NULL)");
 *   <li>{@code anon(fn)}: {@code anon.fn(col)}.
 * </ul>
 *
 * {@code shuffle} has no masking rule: a rule gives each row's value a function of that row (or a literal), while a
 * shuffle deals the column's values out across rows (anon's {@code shuffle_column} is a procedure run on a whole
 * table, not a masking function), so it is refused before anything is asked of Neon.
 */
final class NeonMasking {
    /** One policy rule and what it becomes on Neon (function or value), still without its database. */
    record Planned(Masking.Rule rule, String schema, String table, String function, String value) {
        NeonMaskingRule on(String database) {
            return new NeonMaskingRule(database, schema, table, rule.column(), function, value);
        }
    }

    private NeonMasking() {}

    /** The rules as Neon's, in order; a rule Neon cannot express is refused, naming it, before anything is sent. */
    static List<Planned> plan(List<Masking.Rule> rules, String what) {
        List<Planned> out = new ArrayList<>();
        for (Masking.Rule r : rules) {
            MaskingMethod m = r.parsed()
                    .orElseThrow(() -> new BackendException(
                            "cannot " + what + ": rule " + name(r) + " names no masking method ('" + r.method()
                                    + "'); the methods are " + MaskingMethod.KNOWN,
                            null));
            if (m instanceof MaskingMethod.Shuffle) {
                throw new BackendException(
                        "cannot " + what + ": rule " + name(r) + " asks for shuffle, which Neon's anonymized"
                                + " branches cannot do: a Neon masking rule is one function or value per column"
                                + " (https://neon.com/docs/workflows/data-anonymization-api), and a shuffle moves"
                                + " values between rows; nothing was created. Mask the column with hash or a fake_*"
                                + " method instead",
                        null);
            }
            int dot = r.table().indexOf('.');
            String schema = dot < 0 ? "public" : r.table().substring(0, dot);
            String table = dot < 0 ? r.table() : r.table().substring(dot + 1);
            String c = ident(r.column());
            String function = null;
            String value = null;
            if (m instanceof MaskingMethod.Hash) {
                function = "anon.hash(" + c + ")";
            } else if (m instanceof MaskingMethod.FakeEmail) {
                function = "anon.pseudo_email(" + c + ")";
            } else if (m instanceof MaskingMethod.FakeName) {
                function =
                        "pg_catalog.concat(anon.pseudo_first_name(" + c + "), ' ', anon.pseudo_last_name(" + c + "))";
            } else if (m instanceof MaskingMethod.FakePhone) {
                function = "pg_catalog.concat('+1 555 ', pg_catalog.translate(pg_catalog.left(anon.hash(" + c
                        + "), 7), 'abcdef', '012345'))";
            } else if (m instanceof MaskingMethod.Partial p) {
                function = "anon.partial(" + c + ", " + p.keepFirst() + ", '***', " + p.keepLast() + ")";
            } else if (m instanceof MaskingMethod.Null) {
                value = "NULL";
            } else if (m instanceof MaskingMethod.Constant k) {
                value = literal(k.value());
            } else if (m instanceof MaskingMethod.Anon a) {
                function = "anon." + a.function() + "(" + c + ")"; // the parser allows [a-z][a-z0-9_]* only
            }
            out.add(new Planned(r, schema, table, function, value));
        }
        return out;
    }

    /** The rule as the policy names it: {@code table.column} (the table possibly {@code schema.table}). */
    static String name(Masking.Rule r) {
        return r.table() + "." + r.column();
    }

    /**
     * The rule Neon's failure is about, from its {@code status_message}, which is free text (anon's, or PostgreSQL's
     * error, e.g. {@code column "x" of relation "users" does not exist}): the rule whose table and column the message
     * names, else the one whose column it names, else the one whose table it names; null when it names none.
     */
    static Masking.Rule culprit(List<Masking.Rule> rules, String message) {
        if (message == null) {
            return null;
        }
        Masking.Rule byColumn = null;
        Masking.Rule byTable = null;
        for (Masking.Rule r : rules) {
            int dot = r.table().indexOf('.');
            boolean table = mentions(message, dot < 0 ? r.table() : r.table().substring(dot + 1));
            boolean column = mentions(message, r.column());
            if (table && column) {
                return r;
            }
            if (column && byColumn == null) {
                byColumn = r;
            }
            if (table && byTable == null) {
                byTable = r;
            }
        }
        return byColumn != null ? byColumn : byTable;
    }

    private static boolean mentions(String message, String word) {
        return Pattern.compile(
                        "(?<![A-Za-z0-9_$])" + Pattern.quote(word.toLowerCase(Locale.ROOT)) + "(?![A-Za-z0-9_$])")
                .matcher(message.toLowerCase(Locale.ROOT))
                .find();
    }

    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}

package dev.tiergate.core.masking;

import dev.tiergate.core.policy.Masking;
import java.util.List;

/**
 * The SQL that masks one column in place, for a copy of a tier that nobody else reaches yet: plain SQL, no extension
 * (but for {@code anon(...)}), and deterministic per value — each value's mask is a function of the value and the
 * repository's secret salt, so the same e-mail masks to the same e-mail in every table and branch, a foreign key
 * between masked columns still holds, and a masked value cannot be looked up in a dictionary without the salt.
 * Identifiers are quoted and literals escaped here, whatever the policy wrote.
 */
public final class MaskingSql {
    private static final List<String> FIRST = List.of(
            "Alex", "Blake", "Casey", "Dana", "Eli", "Frankie", "Gray", "Harper", "Indy", "Jordan", "Kai", "Lee",
            "Morgan", "Noa", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Taylor", "Umi", "Val", "Wren", "Yael");
    private static final List<String> LAST = List.of(
            "Ashgrove",
            "Birchwell",
            "Coldharbour",
            "Dunmere",
            "Eastbrook",
            "Fernhollow",
            "Glenmoor",
            "Hollowell",
            "Ivybridge",
            "Juniper",
            "Kestrelby",
            "Larkspur",
            "Millbeck",
            "Northcote",
            "Oakhurst",
            "Pennywhistle",
            "Quarrydale",
            "Rookwood",
            "Silverbirch",
            "Thornbury",
            "Underhill",
            "Valemont",
            "Willowmere",
            "Yarrowby");

    private MaskingSql() {}

    /** {@code "schema"."table"} for {@code table} or {@code schema.table} ({@code public} when none is named). */
    public static String table(String table) {
        int dot = table.indexOf('.');
        return dot < 0
                ? ident("public") + "." + ident(table)
                : ident(table.substring(0, dot)) + "." + ident(table.substring(dot + 1));
    }

    public static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** The statement that masks {@code rule}'s column in every row, keyed by {@code salt}. */
    public static String update(Masking.Rule rule, MaskingMethod method, String salt) {
        String t = table(rule.table());
        String c = ident(rule.column());
        if (method instanceof MaskingMethod.Shuffle) {
            // the column's values dealt out again in an order set by the salt: the set of values stays, their rows do
            // not
            return "with src as (select " + c + " as v, row_number() over (order by " + hash("ctid::text", salt)
                    + ") as rn from " + t
                    + "), dst as (select ctid as id, row_number() over (order by ctid) as rn from "
                    + t + ") update " + t + " set " + c + " = src.v from src join dst using (rn) where " + t
                    + ".ctid = dst.id";
        }
        return "update " + t + " set " + c + " = " + expression(c, method, salt) + " where " + c + " is not null";
    }

    /**
     * One statement that masks every column of one table the rules name (none a shuffle): each row is written once,
     * so the copy grows by one version of the table, not one per rule; a null stays null.
     */
    public static String updateTable(String table, List<Masking.Rule> rules, List<MaskingMethod> methods, String salt) {
        StringBuilder b = new StringBuilder("update ").append(table(table)).append(" set ");
        for (int i = 0; i < rules.size(); i++) {
            String c = ident(rules.get(i).column());
            b.append(i == 0 ? "" : ", ")
                    .append(c)
                    .append(" = case when ")
                    .append(c)
                    .append(" is null then ")
                    .append(c) // the column's own type: a null or constant mask takes it, not text
                    .append(" else ")
                    .append(expression(c, methods.get(i), salt))
                    .append(" end");
        }
        return b.toString();
    }

    /** What a value {@code c} (an SQL expression) masks to. */
    static String expression(String c, MaskingMethod method, String salt) {
        String h = hash(c + "::text", salt);
        String n = "(('x' || lpad(left(" + h + ", 8), 16, '0'))::bit(64)::bigint)";
        if (method instanceof MaskingMethod.Hash) {
            return "left(" + h + ", 32)";
        }
        if (method instanceof MaskingMethod.FakeEmail) {
            return "'user_' || left(" + h + ", 12) || '@example.invalid'";
        }
        if (method instanceof MaskingMethod.FakeName) {
            return "(" + array(FIRST) + ")[1 + " + n + " % " + FIRST.size() + "] || ' ' || (" + array(LAST) + ")[1 + ("
                    + n + " / " + FIRST.size() + ") % " + LAST.size() + "]";
        }
        if (method instanceof MaskingMethod.FakePhone) {
            return "'+1 555 ' || lpad((" + n + " % 10000000)::text, 7, '0')";
        }
        if (method instanceof MaskingMethod.Partial p) {
            String v = c + "::text";
            int keep = p.keepFirst() + p.keepLast();
            return "case when length(" + v + ") <= " + keep + " then repeat('*', length(" + v + ")) else left(" + v
                    + ", " + p.keepFirst() + ") || repeat('*', length(" + v + ") - " + keep + ") || right(" + v + ", "
                    + p.keepLast() + ") end";
        }
        if (method instanceof MaskingMethod.Null) {
            return "null";
        }
        if (method instanceof MaskingMethod.Constant k) {
            return literal(k.value());
        }
        if (method instanceof MaskingMethod.Anon a) {
            return "anon." + ident(a.function()) + "(" + c + ")";
        }
        return c; // shuffle: see update()
    }

    /** The salted SHA-256 of {@code textExpr}, in hex. */
    static String hash(String textExpr, String salt) {
        return "encode(sha256(convert_to(" + literal(salt) + " || " + textExpr + ", 'UTF8')), 'hex')";
    }

    private static String array(List<String> words) {
        StringBuilder b = new StringBuilder("array[");
        for (int i = 0; i < words.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(literal(words.get(i)));
        }
        return b.append("]").toString();
    }

    /**
     * Whether a value that was in the column before may still be there after {@code method} without a fault: a
     * constant may be what a row held, a shuffle keeps every value; for the others a surviving original means the
     * masking did not happen.
     */
    public static boolean originalsMayRemain(MaskingMethod method) {
        return method instanceof MaskingMethod.Constant
                || method instanceof MaskingMethod.Shuffle
                || method instanceof MaskingMethod.Anon;
    }
}

package dev.tiergate.core.access;

import java.util.Locale;

/**
 * One privilege in a database branch: who holds it ({@code grantee}: a group of the policy as {@code group:<name>},
 * one of tiergate's own roles as {@code tiergate:<what>}, an actor's login as {@code login:<actor>}, {@code PUBLIC},
 * or any other role by its name), on what ({@code kind}: database, schema, table, sequence; {@code object}: the
 * qualified name, "" for the database) and which ({@code privilege}, PostgreSQL's upper-case word).
 */
public record Privilege(String grantee, Kind kind, String object, String privilege) implements Comparable<Privilege> {
    public enum Kind {
        DATABASE,
        SCHEMA,
        TABLE,
        SEQUENCE
    }

    public static final String PUBLIC = "PUBLIC";

    public static String group(String name) {
        return "group:" + name;
    }

    @Override
    public int compareTo(Privilege o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        return grantee + " " + privilege + " on " + kind.name().toLowerCase(Locale.ROOT)
                + (object.isEmpty() ? "" : " " + object);
    }
}

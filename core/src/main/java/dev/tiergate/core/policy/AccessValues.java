package dev.tiergate.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.state.SchemaRefusals;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is wrong with a value of database_access that reaches the database as a name or a privilege
 * ({@link Rule#POLICY_ACCESS_VALUES}): the field, the value and the fix. The patterns are {@link DatabaseAccess}'s,
 * the same as policy.schema.json's and the backends'.
 */
final class AccessValues {
    record Wrong(String message, String fix) {}

    /** The fields it judges, as the schema's refusals point at them. */
    private static final Pattern FIELD = Pattern.compile(
            "/database_access/(?:groups/(\\d+)/(name|privileges|privileges/\\d+|schemas/\\d+|tables/\\d+)|(?:tiers|working)/\\d+/grants/\\d+/(group))");

    private AccessValues() {}

    /** The schema refused the value at {@code pointer}: what this rule says of it, if it is one of its fields. */
    static Optional<Wrong> ofSchemaProblem(String pointer, JsonNode root) {
        Matcher m = FIELD.matcher(pointer);
        JsonNode value = root.at(pointer);
        if (!m.matches() || value.isMissingNode()) {
            return Optional.empty();
        }
        String field = SchemaRefusals.plainName(pointer);
        String what = m.group(3) != null ? m.group(3) : m.group(2).replaceAll("/\\d+$", "");
        if (what.equals("privileges") && value.isArray()) {
            JsonNode name = root.at("/database_access/groups/" + m.group(1) + "/name");
            return value.isEmpty()
                    ? Optional.of(noPrivileges(field, name.isTextual() ? name.asText() : null))
                    : Optional.empty();
        }
        if (!value.isTextual()) {
            return Optional.empty(); // a wrong type: the schema's words
        }
        String v = value.asText();
        return switch (what) {
            case "name", "group" -> groupName(field, v);
            case "privileges" -> privilege(field, v);
            case "schemas" -> schema(field, v);
            case "tables" -> table(field, v);
            default -> Optional.empty();
        };
    }

    static Optional<Wrong> groupName(String field, String name) {
        if (DatabaseAccess.GROUP_NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        String like = nameLike(name);
        return Optional.of(new Wrong(
                field + " is '" + name + "', which cannot be a database role: a group's name is"
                        + " lower-case letters, digits and _, starting with a letter, at most 31 characters ("
                        + DatabaseAccess.GROUP_NAME.pattern() + ")",
                "rename the group" + (like == null ? "" : " to " + like)
                        + " under database_access.groups and in every grant that names it"));
    }

    static Optional<Wrong> privilege(String field, String written) {
        if (DatabaseAccess.isTablePrivilege(written)) {
            return Optional.empty();
        }
        String lower = written.toLowerCase(Locale.ROOT);
        if (DatabaseAccess.TABLE_PRIVILEGES.contains(lower)) {
            return Optional.of(new Wrong(
                    field + " is '" + written + "', a privilege written in mixed case",
                    "write it " + lower + " (or " + written.toUpperCase(Locale.ROOT) + ")"));
        }
        return Optional.of(new Wrong(
                field + (field.endsWith("]") ? " is '" : " has '") + written
                        + "', which is not a table privilege: a group is"
                        + " granted table privileges only, and schema changes are the migrations' alone",
                "use only " + String.join(", ", DatabaseAccess.TABLE_PRIVILEGES)
                        + (lower.equals("all") ? " (list the ones it needs instead of all)" : "")));
    }

    static Wrong noPrivileges(String field, String group) {
        return new Wrong(
                field + " lists no privilege: group " + (group == null ? "" : "'" + group + "' ")
                        + "would hold nothing," + " not even USAGE on its schemas",
                "give it privileges: [select] (or more), or remove the group and the grants that name it");
    }

    static Optional<Wrong> schema(String field, String schema) {
        if (schema.equals(DatabaseAccess.EVERY_SCHEMA)
                || DatabaseAccess.SCHEMA_NAME.matcher(schema).matches()) {
            return Optional.empty();
        }
        int dot = schema.indexOf('.');
        String lower = schema.toLowerCase(Locale.ROOT);
        String fix;
        if (dot > 0) {
            fix = "name the schema alone, schemas: [" + schema.substring(0, dot) + "], or give the group tables: ["
                    + schema + "] instead of schemas";
        } else if (DatabaseAccess.SCHEMA_NAME.matcher(lower).matches()) {
            fix = "write it " + lower + ", as PostgreSQL keeps an unquoted name";
        } else {
            fix = "write a schema's name, e.g. public, or \"*\" for every schema";
        }
        return Optional.of(new Wrong(
                field + " is '" + schema + "', which is not a schema's name: a letter or _, then"
                        + " letters, digits, _ or $, in lower case, at most 63 characters (or \"*\": every schema)",
                fix));
    }

    static Optional<Wrong> table(String field, String table) {
        if (DatabaseAccess.TABLE_NAME.matcher(table).matches()) {
            return Optional.empty();
        }
        int dot = table.indexOf('.');
        String lower = table.toLowerCase(Locale.ROOT);
        String message = field + " is '" + table + "', which is not schema.table";
        String fix;
        if (table.equals("*") || table.endsWith(".*")) {
            String schema = table.equals("*") ? "\"*\"" : table.substring(0, table.length() - 2);
            message += ": tables takes no wildcard";
            fix = "for every table of " + (table.equals("*") ? "every schema" : "schema " + schema)
                    + " give the group schemas: [" + schema + "] instead of tables";
        } else if (dot < 0) {
            message += ": it names no schema";
            fix = "qualify it with its schema, e.g. public." + table;
        } else if (DatabaseAccess.TABLE_NAME.matcher(lower).matches()) {
            message += " as PostgreSQL keeps unquoted names";
            fix = "write it " + lower;
        } else {
            message += ": each part a letter or _, then letters, digits, _ or $, in lower case, at most 63 characters";
            fix = "write it as schema.table, e.g. public.orders";
        }
        return Optional.of(new Wrong(message, fix));
    }

    /** A group name like {@code name} that the pattern takes ({@code read-only}: {@code read_only}), or null. */
    static String nameLike(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_").replaceAll("^_+|_+$", "");
        if (!s.isEmpty() && !Character.isLetter(s.charAt(0))) {
            s = "g_" + s;
        }
        s = s.length() > 31 ? s.substring(0, 31) : s;
        return DatabaseAccess.GROUP_NAME.matcher(s).matches() ? s : null;
    }
}

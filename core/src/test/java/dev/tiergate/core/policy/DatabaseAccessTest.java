package dev.tiergate.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.verdict.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The policy's database access as a pure function: (policy, branch, actor, authorship) → the groups a login gets. */
class DatabaseAccessTest {
    static final String TIERS = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
              - {name: sandbox, branch: sandbox, parent: staging, protected: false}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: sandbox, actors: [human, agent]}
            """;
    static final String ACCESS = """
            database_access:
              groups:
                - {name: app_read, privileges: [SELECT], schemas: [public]}
                - {name: app_write, privileges: [select, insert, update, delete], schemas: [public]}
                - {name: orders_only, privileges: [select], tables: [public.orders]}
              tiers:
                - tier: production
                  drift: hold
                  grants:
                    - {group: app_read, classes: [human], roles: [release-manager]}
                - tier: staging
                  grants:
                    - {group: app_write, classes: [human]}
                    - {group: app_read, classes: [agent]}
              working:
                - type: feature
                  grants:
                    - {group: app_write, author: true}
                    - {group: orders_only, classes: [agent]}
                - type: ci
                  grants:
                    - {group: app_write, author: true}
                    - {group: app_write, classes: [bot]}
              credential_hours: 4
            """;
    static final Actor ALICE = new Actor("alice", ActorClass.HUMAN, Set.of(), List.of());
    static final Actor RM = new Actor("rm", ActorClass.HUMAN, Set.of("release-manager"), List.of());
    static final Actor CLAUDE = new Actor("claude", ActorClass.AGENT, Set.of(), List.of());
    static final Actor CI = new Actor("ci-bot", ActorClass.BOT, Set.of(), List.of());

    static Policy policy(String yaml) {
        return PolicyReader.read(yaml, ".tiergate/policy.yaml");
    }

    @Test
    void thePolicysGrantsDecideWhoGetsWhichGroupOnEachBranch() {
        Policy p = policy(TIERS + ACCESS);
        DatabaseAccess a = p.access();
        assertEquals(4, a.credentialHoursOrDefault());
        assertEquals(
                List.of("select"), a.group("app_read").orElseThrow().privileges(), "privileges read in lower case");
        List<DatabaseAccess.Grant> production =
                a.grantsOnTier(p.tier("production").orElseThrow());
        assertEquals(List.of("app_read"), DatabaseAccess.groupsFor(production, RM, false));
        assertEquals(
                List.of(), DatabaseAccess.groupsFor(production, ALICE, false), "a human without the role gets nothing");
        assertEquals(
                List.of(), DatabaseAccess.groupsFor(production, CLAUDE, false), "an agent gets nothing on production");
        assertTrue(a.tier("production").orElseThrow().holdsOnDrift());
        List<DatabaseAccess.Grant> staging = a.grantsOnTier(p.tier("staging").orElseThrow());
        assertEquals(List.of("app_write"), DatabaseAccess.groupsFor(staging, ALICE, false));
        assertEquals(List.of("app_read"), DatabaseAccess.groupsFor(staging, CLAUDE, false));
        List<DatabaseAccess.Grant> feature = a.grantsOnWorking("feature");
        assertEquals(
                List.of("app_write", "orders_only"),
                DatabaseAccess.groupsFor(feature, CLAUDE, true),
                "the author writes");
        assertEquals(
                List.of("orders_only"),
                DatabaseAccess.groupsFor(feature, CLAUDE, false),
                "another agent reads orders only");
        assertEquals(List.of(), DatabaseAccess.groupsFor(feature, ALICE, false), "not the author: nothing");
        assertEquals(List.of("app_write"), DatabaseAccess.groupsFor(a.grantsOnWorking(DatabaseAccess.CI), CI, false));
    }

    @Test
    void withoutDatabaseAccessTheDefaultIsSafeForAgents() {
        Policy p = policy(TIERS);
        DatabaseAccess a = p.access();
        assertEquals(DatabaseAccess.DEFAULT, a);
        for (String tier : List.of("production", "staging")) { // protected
            List<DatabaseAccess.Grant> grants = a.grantsOnTier(p.tier(tier).orElseThrow());
            assertEquals(List.of("read"), DatabaseAccess.groupsFor(grants, ALICE, false), tier + ": humans read");
            assertEquals(
                    List.of(), DatabaseAccess.groupsFor(grants, CLAUDE, false), tier + ": no credential for an agent");
            assertEquals(List.of(), DatabaseAccess.groupsFor(grants, CI, false), tier + ": nobody writes by hand");
        }
        List<DatabaseAccess.Grant> sandbox = a.grantsOnTier(p.tier("sandbox").orElseThrow());
        assertEquals(List.of("write"), DatabaseAccess.groupsFor(sandbox, ALICE, false));
        assertEquals(List.of("read"), DatabaseAccess.groupsFor(sandbox, CLAUDE, false));
        assertEquals(
                List.of("write"),
                DatabaseAccess.groupsFor(a.grantsOnWorking("feature"), CLAUDE, true),
                "an agent writes its own branch");
        assertEquals(
                List.of(), DatabaseAccess.groupsFor(a.grantsOnWorking("feature"), CLAUDE, false), "not someone else's");
        assertEquals(
                List.of("write"),
                DatabaseAccess.groupsFor(a.grantsOnWorking(DatabaseAccess.CI), CI, false),
                "CI writes a PR's copy");
        assertEquals(DatabaseAccess.DEFAULT_CREDENTIAL_HOURS, a.credentialHoursOrDefault());
    }

    @Test
    void namesThePolicyDoesNotHaveAreRefusedWithWhereAndTheFix() {
        String wrong = TIERS + """
                database_access:
                  groups:
                    - {name: app_read, privileges: [select], schemas: [public]}
                    - {name: both, privileges: [select], schemas: [public], tables: [public.orders]}
                  tiers:
                    - {tier: prod, grants: [{group: app_read, classes: [human]}]}
                  working:
                    - {type: bugfix, grants: [{group: app_admin, author: true}]}
                """;
        Verdict v = PolicyValidator.validate(wrong.getBytes(StandardCharsets.UTF_8), ".tiergate/policy.yaml");
        List<String> messages = v.refusals().stream()
                .filter(r -> r.rule().equals(PolicyValidator.ACCESS_NAMES))
                .map(r -> r.where() + " " + r.message() + " | " + r.fix())
                .toList();
        assertEquals(4, messages.size(), messages.toString());
        assertTrue(
                messages.stream()
                        .anyMatch(m -> m.contains("tier 'prod'") && m.contains("[production, staging, sandbox]")),
                messages.toString());
        assertTrue(
                messages.stream().anyMatch(m -> m.contains("type 'bugfix'") && m.contains("or ci")),
                messages.toString());
        assertTrue(
                messages.stream().anyMatch(m -> m.contains("group 'app_admin'") && m.contains("[app_read, both]")),
                messages.toString());
        assertTrue(
                messages.stream().anyMatch(m -> m.contains("group 'both' needs either schemas or tables, not both")),
                messages.toString());
        assertTrue(
                messages.stream().allMatch(m -> m.startsWith(".tiergate/policy.yaml:")),
                "each with its line: " + messages);
    }

    @Test
    void aGroupThatWouldChangeSchemaIsRefused() {
        Verdict v = PolicyValidator.validate((TIERS + """
                database_access:
                  groups:
                    - {name: ddl, privileges: [create], schemas: [public]}
                """).getBytes(StandardCharsets.UTF_8), ".tiergate/policy.yaml");
        assertTrue(
                v.refusals().stream()
                        .anyMatch(r -> r.rule().equals(PolicyValidator.ACCESS_VALUES)
                                && r.message().contains("privileges")),
                v.toString());
    }

    // ---- policy.access.values: what reaches the database as a name or a privilege, from the file and from a policy
    // read without the schema

    static final String PATH = ".tiergate/policy.yaml";

    /** The file as `tiergate policy validate` and the hooks judge it (the schema first). */
    static Verdict validateFile(String access) {
        return PolicyValidator.validate((TIERS + access).getBytes(StandardCharsets.UTF_8), PATH);
    }

    /** The same policy read as the server reads it, checked without the schema. */
    static Verdict validateRead(String access) {
        return PolicyValidator.validate(policy(TIERS + access), PATH);
    }

    static String rendered(Verdict v) {
        return String.join(
                "\n",
                v.refusals().stream()
                        .map(r -> r.rule() + " " + r.where() + " " + r.message() + " | fix: " + r.fix())
                        .toList());
    }

    @Test
    void valuesTheDatabaseTakesPass() {
        String access = """
                database_access:
                  groups:
                    - {name: app_read, privileges: [SELECT, references], schemas: [public, "*", app_2, _x$]}
                    - {name: w2, privileges: [select, insert, update, delete, truncate, trigger], tables: [public.orders, _a.b$1]}
                    - {name: %s, privileges: [select], schemas: [public]}
                  tiers:
                    - {tier: production, grants: [{group: w2, classes: [human]}]}
                """.formatted("a" + "b".repeat(30));
        assertTrue(validateFile(access).isAllowed(), () -> validateFile(access).render());
        assertTrue(validateRead(access).isAllowed(), () -> validateRead(access).render());
        assertTrue(validateFile(ACCESS).isAllowed(), () -> validateFile(ACCESS).render());
        assertTrue(PolicyValidator.validate(policy(TIERS), PATH).isAllowed(), "the default groups read and write");
    }

    @Test
    void aGroupNameNoRoleMayHaveIsRefusedWithTheFieldTheValueAndANameThatWorks() {
        String access = """
                database_access:
                  groups:
                    - {name: read-only, privileges: [select], schemas: [public]}
                  tiers:
                    - {tier: production, grants: [{group: read-only, classes: [human]}]}
                """;
        String message =
                "database_access.groups[0].name is 'read-only', which cannot be a database role: a group's name is lower-case"
                        + " letters, digits and _, starting with a letter, at most 31 characters ([a-z][a-z0-9_]{0,30})";
        String fix = "rename the group to read_only under database_access.groups and in every grant that names it";
        String grant =
                "database_access.tiers[0].grants[0].group is 'read-only', which cannot be a database role: a group's name is"
                        + " lower-case letters, digits and _, starting with a letter, at most 31 characters ([a-z][a-z0-9_]{0,30})";
        assertEquals(
                PolicyValidator.ACCESS_VALUES + " " + PATH + ":10 " + message + " | fix: " + fix + "\n"
                        + PolicyValidator.ACCESS_VALUES + " " + PATH + ":12 " + grant + " | fix: " + fix,
                rendered(validateFile(access)));
        assertEquals(
                PolicyValidator.ACCESS_VALUES + " " + PATH + " " + message + " | fix: " + fix + "\n"
                        + PolicyValidator.ACCESS_VALUES + " " + PATH + " " + grant + " | fix: " + fix,
                rendered(validateRead(access)));
        for (String name : List.of("Readers", "1st", "a" + "b".repeat(31), "app.read", "x y")) {
            String yaml = "database_access:\n  groups:\n    - {name: \"" + name
                    + "\", privileges: [select], schemas: [public]}\n";
            for (Verdict v : List.of(validateFile(yaml), validateRead(yaml))) {
                assertEquals(1, v.refusals().size(), name + ": " + v.render());
                assertEquals(PolicyValidator.ACCESS_VALUES, v.refusals().get(0).rule(), v.render());
                assertTrue(
                        v.refusals()
                                .get(0)
                                .message()
                                .startsWith("database_access.groups[0].name is '" + name
                                        + "', which cannot be a database role"),
                        v.render());
            }
        }
        assertEquals(
                "rename the group to g_1st under database_access.groups and in every grant that names it",
                validateFile(
                                "database_access:\n  groups:\n    - {name: \"1st\", privileges: [select], schemas: [public]}\n")
                        .refusals()
                        .get(0)
                        .fix());
    }

    @Test
    void aTableThatIsNotSchemaDotTableIsRefused() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(
                "orders",
                "database_access.groups[0].tables[0] is 'orders', which is not schema.table: it names no schema"
                        + " | fix: qualify it with its schema, e.g. public.orders");
        cases.put(
                "public.*",
                "database_access.groups[0].tables[0] is 'public.*', which is not schema.table: tables takes no wildcard"
                        + " | fix: for every table of schema public give the group schemas: [public] instead of tables");
        cases.put(
                "*",
                "database_access.groups[0].tables[0] is '*', which is not schema.table: tables takes no wildcard"
                        + " | fix: for every table of every schema give the group schemas: [\"*\"] instead of tables");
        cases.put(
                "Public.Orders",
                "database_access.groups[0].tables[0] is 'Public.Orders', which is not schema.table as PostgreSQL keeps"
                        + " unquoted names | fix: write it public.orders");
        cases.put(
                "db.public.orders",
                "database_access.groups[0].tables[0] is 'db.public.orders', which is not schema.table: each part a"
                        + " letter or _, then letters, digits, _ or $, in lower case, at most 63 characters | fix: write it as schema.table, e.g. public.orders");
        for (var c : cases.entrySet()) {
            String yaml = "database_access:\n  groups:\n    - {name: ro, privileges: [select], tables: [\"" + c.getKey()
                    + "\"]}\n";
            assertEquals(
                    PolicyValidator.ACCESS_VALUES + " " + PATH + ":10 " + c.getValue(),
                    rendered(validateFile(yaml)),
                    c.getKey());
            assertEquals(
                    PolicyValidator.ACCESS_VALUES + " " + PATH + " " + c.getValue(),
                    rendered(validateRead(yaml)),
                    c.getKey());
        }
    }

    @Test
    void aSchemaThatIsNotASchemasNameIsRefused() {
        String yaml = "database_access:\n  groups:\n    - {name: ro, privileges: [select], schemas: [public.orders]}\n";
        String expected = PolicyValidator.ACCESS_VALUES + " " + PATH
                + ":10 database_access.groups[0].schemas[0] is 'public.orders', which is"
                + " not a schema's name: a letter or _, then letters, digits, _ or $, in lower case, at most 63 characters (or \"*\": every"
                + " schema) | fix: name the schema alone, schemas: [public], or give the group tables: [public.orders] instead of schemas";
        assertEquals(expected, rendered(validateFile(yaml)));
        assertEquals(expected.replace(":10 ", " "), rendered(validateRead(yaml)));
    }

    @Test
    void aPrivilegeBeyondTablePrivilegesIsRefusedAndSoIsAGroupWithNone() {
        String allowed = "select, insert, update, delete, truncate, references, trigger";
        String all = "database_access:\n  groups:\n    - {name: admin, privileges: [select, all], schemas: [public]}\n";
        assertEquals(
                PolicyValidator.ACCESS_VALUES + " " + PATH
                        + ":10 database_access.groups[0].privileges[1] is 'all', which is not a"
                        + " table privilege: a group is granted table privileges only, and schema changes are the migrations' alone"
                        + " | fix: use only " + allowed + " (list the ones it needs instead of all)",
                rendered(validateFile(all)));
        assertEquals(
                PolicyValidator.ACCESS_VALUES + " " + PATH
                        + " database_access.groups[0].privileges has 'all', which is not a"
                        + " table privilege: a group is granted table privileges only, and schema changes are the migrations' alone"
                        + " | fix: use only " + allowed + " (list the ones it needs instead of all)",
                rendered(validateRead(all)));
        for (String p : List.of("create", "usage", "connect", "temporary", "maintain")) {
            String yaml =
                    "database_access:\n  groups:\n    - {name: ddl, privileges: [" + p + "], schemas: [public]}\n";
            for (Verdict v : List.of(validateFile(yaml), validateRead(yaml))) {
                assertEquals(1, v.refusals().size(), p + ": " + v.render());
                assertTrue(
                        v.refusals().get(0).message().contains("'" + p + "', which is not a table privilege"),
                        v.render());
                assertEquals("use only " + allowed, v.refusals().get(0).fix());
            }
        }
        String mixed = "database_access:\n  groups:\n    - {name: ro, privileges: [Select], schemas: [public]}\n";
        assertEquals(
                PolicyValidator.ACCESS_VALUES + " " + PATH
                        + ":10 database_access.groups[0].privileges[0] is 'Select', a privilege"
                        + " written in mixed case | fix: write it select (or SELECT)",
                rendered(validateFile(mixed)));
        String none = "database_access:\n  groups:\n    - {name: nothing, privileges: [], schemas: [public]}\n";
        String noneMessage =
                " database_access.groups[0].privileges lists no privilege: group 'nothing' would hold nothing, not even USAGE"
                        + " on its schemas | fix: give it privileges: [select] (or more), or remove the group and the grants that name it";
        assertEquals(PolicyValidator.ACCESS_VALUES + " " + PATH + ":10" + noneMessage, rendered(validateFile(none)));
        assertEquals(PolicyValidator.ACCESS_VALUES + " " + PATH + noneMessage, rendered(validateRead(none)));
    }

    @Test
    void otherSchemaProblemsOfAGroupKeepTheSchemasWords() {
        Verdict v = validateFile(
                "database_access:\n  groups:\n    - {name: ro, schemas: [public], tables: public.orders}\n");
        assertEquals(
                List.of(PolicyValidator.SCHEMA, PolicyValidator.SCHEMA),
                v.refusals().stream().map(r -> r.rule()).toList(),
                v::render);
        assertTrue(
                v.render()
                        .contains(
                                "field 'database_access.groups[0].privileges' is required (missing) [policy.schema]\n  fix: add"
                                        + " \"privileges\": [select] (or more of select, insert"),
                v.render());
        assertTrue(v.render().contains("fix: set \"tables\": [public.orders]"), v.render());
    }

    /** policy.schema.json (for editors, and the file's first check) says what DatabaseAccess says: one source of the values. */
    @Test
    void theSchemaSaysWhatTheCoreConstantsSay() throws IOException {
        JsonNode schema;
        try (var in = getClass().getClassLoader().getResourceAsStream("tiergate/schemas/policy.schema.json")) {
            schema = new ObjectMapper().readTree(in);
        }
        var group = schema.at("/$defs/accessGroup/properties");
        assertEquals(
                "^" + DatabaseAccess.GROUP_NAME.pattern() + "$",
                group.at("/name/pattern").asText());
        assertEquals(
                "^" + DatabaseAccess.GROUP_NAME.pattern() + "$",
                schema.at("/$defs/accessGrant/properties/group/pattern").asText());
        assertEquals(
                "^" + DatabaseAccess.TABLE_NAME.pattern() + "$",
                group.at("/tables/items/pattern").asText());
        assertEquals(
                "^(\\" + DatabaseAccess.EVERY_SCHEMA + "|" + DatabaseAccess.SCHEMA_NAME.pattern() + ")$",
                group.at("/schemas/items/pattern").asText());
        Set<String> privileges = new HashSet<>();
        group.at("/privileges/items/enum").forEach(p -> privileges.add(p.asText()));
        Set<String> both = new HashSet<>(DatabaseAccess.TABLE_PRIVILEGES);
        DatabaseAccess.TABLE_PRIVILEGES.forEach(p -> both.add(p.toUpperCase(Locale.ROOT)));
        assertEquals(both, privileges);
        assertTrue(both.stream().allMatch(DatabaseAccess::isTablePrivilege));
        assertTrue(!DatabaseAccess.isTablePrivilege("Select") && !DatabaseAccess.isTablePrivilege("create"));
    }
}

package dev.tiergate.server.backend.neon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.core.policy.Masking;
import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.NeonApiStub;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A masked copy on Neon is an anonymized branch (https://neon.com/docs/workflows/data-anonymization-api): the requests
 * tiergate sends to the stand-in, word for word; that it returns only once Neon says {@code anonymized}; that a
 * failed anonymization deletes the branch and names the rule; and that a rule Neon cannot express is refused before
 * any request. The stand-in runs the rules as SQL on the copy's database, so the data checks show the expressions
 * are valid SQL on the columns named.
 */
class NeonMaskedCopyTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String COPY = "production-masked-1";
    static final List<Masking.Rule> RULES = List.of(
            new Masking.Rule("customers", "email", "fake_email"),
            new Masking.Rule("customers", "full_name", "fake_name"),
            new Masking.Rule("customers", "phone", "fake_phone"),
            new Masking.Rule("customers", "card", "partial(2, 2)"),
            new Masking.Rule("customers", "ssn", "hash"),
            new Masking.Rule("customers", "note", "null"),
            new Masking.Rule("customers", "region", "constant(O'Hare)"),
            new Masking.Rule("billing.accounts", "holder", "anon(pseudo_last_name)"));

    final RepoRef repo = new RepoRef("github", null, "acme/shop");
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    NeonApiStub neon;
    NeonBranchBackend backend;

    @BeforeEach
    void productionWithPersonalData() throws SQLException {
        neon = new NeonApiStub();
        backend = new NeonBranchBackend(
                NeonSettings.of(neon.apiUrl(), NeonApiStub.KEY, NeonApiStub.PROJECT)
                        .withPolling(Duration.ofMillis(1), Duration.ofMillis(50))
                        .withRetries(4, Duration.ofMillis(1)),
                sleeps::add,
                Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC));
        sql(
                "production",
                "create table customers (id int primary key, email text, full_name text, phone text, card text,"
                        + " ssn text, note text, region text)",
                "insert into customers values"
                        + " (1, 'ada@real.example', 'Ada Lovelace', '+44 20 7946 0001', '4111111111111111',"
                        + " '078-05-1120', 'VIP', 'London'),"
                        + " (2, 'ada@real.example', 'Ada King', '+44 20 7946 0002', '5500000000000004',"
                        + " '219-09-9999', 'late payer', 'Leeds')",
                "create schema billing",
                "create table billing.accounts (id int primary key, holder text)",
                "insert into billing.accounts values (1, 'Lovelace')");
        neon.resetCounts();
        neon.clearRequestLog();
        sleeps.clear();
    }

    @AfterEach
    void stopStub() {
        neon.close();
    }

    @Test
    void theCopyIsAnAnonymizedBranchOfTheTierWithEachMethodAsAnAnonRule() throws Exception {
        backend.createMaskedCopy(repo, COPY, "production", RULES);

        String mainId = (String) neon.branchByName("main").get("id");
        List<NeonApiStub.Request> creates = neon.requestLog("POST", "/branch_anonymized");
        assertEquals(1, creates.size(), neon.requestLog().toString());
        assertEquals(
                JSON.readTree("{\"branch_create\": {\"branch\": {\"name\": \"" + COPY + "\", \"parent_id\": \"" + mainId
                        + "\"}, \"endpoints\": [{\"type\": \"read_write\"}]}}"),
                creates.get(0).json(),
                "a branch of production's Neon branch with a read-write compute; rules come once it is there");
        String id = creates.get(0).answerJson().path("branch").path("id").asText();
        assertTrue(
                creates.get(0)
                                .answerJson()
                                .path("branch")
                                .path("restricted_actions")
                                .size()
                        > 0,
                "an anonymized branch");

        String db = backend.connection(repo, COPY).database();
        List<NeonApiStub.Request> patches = neon.requestLog("PATCH", "/branches/" + id + "/masking_rules");
        assertEquals(1, patches.size(), neon.requestLog().toString());
        ObjectNode body = JSON.createObjectNode();
        ArrayNode want = body.putArray("masking_rules");
        rule(want, db, "public", "customers", "email", "anon.pseudo_email(\"email\")", null);
        rule(
                want,
                db,
                "public",
                "customers",
                "full_name",
                "pg_catalog.concat(anon.pseudo_first_name(\"full_name\"), ' ', anon.pseudo_last_name(\"full_name\"))",
                null);
        rule(
                want,
                db,
                "public",
                "customers",
                "phone",
                "pg_catalog.concat('+1 555 ', pg_catalog.translate(pg_catalog.left(anon.hash(\"phone\"), 7),"
                        + " 'abcdef', '012345'))",
                null);
        rule(want, db, "public", "customers", "card", "anon.partial(\"card\", 2, '***', 2)", null);
        rule(want, db, "public", "customers", "ssn", "anon.hash(\"ssn\")", null);
        rule(want, db, "public", "customers", "note", null, "NULL");
        rule(want, db, "public", "customers", "region", null, "'O''Hare'");
        rule(want, db, "billing", "accounts", "holder", "anon.pseudo_last_name(\"holder\")", null);
        assertEquals(body, patches.get(0).json(), "each method as its anon function or value, on the copy's database");

        List<NeonApiStub.Request> log = neon.requestLog();
        List<NeonApiStub.Request> starts = neon.requestLog("POST", "/branches/" + id + "/anonymize");
        assertEquals(1, starts.size());
        assertEquals("", starts.get(0).body());
        assertTrue(log.indexOf(patches.get(0)) < log.indexOf(starts.get(0)), "rules first, then anonymize");
        assertEquals("anonymized", neon.anonymizationState(COPY));
        assertEquals(mainId, neon.branchByName(COPY).get("parent_id"));
        assertEquals(false, neon.branchByName(COPY).get("protected"));
        assertNull(neon.branchByName(COPY).get("expires_at"), "children are cut from it: it does not expire");

        List<List<String>> masked =
                rows(COPY, "select email, full_name, phone, card, ssn, note, region from customers" + " order by id");
        List<String> ada = masked.get(0);
        assertTrue(ada.get(0).matches("user_[0-9a-f]{12}@example\\.com"), ada.toString());
        assertEquals(ada.get(0), masked.get(1).get(0), "the same e-mail masks to the same e-mail");
        assertTrue(ada.get(1).matches("[A-Z][a-z]+ [A-Z][a-z]+") && !ada.get(1).contains("Lovelace"), ada.toString());
        assertTrue(ada.get(2).matches("\\+1 555 [0-9]{7}"), ada.toString());
        assertEquals("41***11", ada.get(3));
        assertTrue(ada.get(4).matches("[0-9a-f]{64}"), ada.toString());
        assertNull(ada.get(5));
        assertEquals("O'Hare", ada.get(6));
        assertNotEquals(
                "Lovelace",
                rows(COPY, "select holder from billing.accounts").get(0).get(0));
        assertEquals(
                List.of("ada@real.example", "VIP", "London"),
                rows("production", "select email, note, region from customers where id = 1")
                        .get(0),
                "the tier keeps its data");
    }

    @Test
    void theCallReturnsOnlyOnceNeonSaysAnonymized() throws Exception {
        neon.operationPolls = 2;
        neon.anonymizationPolls = 3;
        backend.createMaskedCopy(repo, COPY, "production", RULES);
        List<String> states = new ArrayList<>();
        neon.requestLog("GET", ".*/anonymized_status")
                .forEach(r -> states.add(r.answerJson().path("state").asText()));
        assertEquals(
                List.of("created", "created", "initialized", "anonymizing", "anonymizing", "anonymizing", "anonymized"),
                states,
                "waits for initialized before the rules, then polls past anonymizing");
        assertEquals("anonymized", neon.anonymizationState(COPY));
        assertTrue(sleeps.stream().allMatch(Duration.ofMillis(1)::equals), sleeps.toString());
    }

    @Test
    void anAnonymizationThatOutlastsTheBoundDeletesTheBranch() {
        neon.anonymizationPolls = 1000;
        BackendException e =
                assertThrows(BackendException.class, () -> backend.createMaskedCopy(repo, COPY, "production", RULES));
        assertTrue(e.getMessage().contains("is still anonymizing after"), e.getMessage());
        assertFalse(neon.branchNames().contains(COPY), neon.branchNames().toString());
    }

    @Test
    void aFailedAnonymizationDeletesTheBranchAndNamesTheRule() throws Exception {
        List<Masking.Rule> rules = new ArrayList<>(RULES);
        rules.add(3, new Masking.Rule("customers", "missing_email", "fake_email"));
        BackendException e =
                assertThrows(BackendException.class, () -> backend.createMaskedCopy(repo, COPY, "production", rules));
        assertTrue(
                e.getMessage().contains("make masked copy '" + COPY + "' of 'production'")
                        && e.getMessage()
                                .contains("ended in error: rule customers.missing_email (fake_email as"
                                        + " anon.pseudo_email(\"missing_email\")) failed")
                        && e.getMessage().contains("\"missing_email\"")
                        && e.getMessage().contains("does not exist")
                        && e.getMessage().contains("the branch is deleted"),
                e.getMessage());
        assertFalse(neon.branchNames().contains(COPY), neon.branchNames().toString());
        assertEquals(
                1,
                neon.requestLog("DELETE", "/branches/br-[^/]+").size(),
                neon.requestLog().toString());
        assertEquals(
                List.of("ada@real.example"),
                rows("production", "select email from customers where id = 1").get(0));
    }

    @Test
    void aBranchNeonCannotInitializeIsDeletedBeforeAnyRule() {
        neon.failNextInitialization("could not install the anon extension");
        BackendException e =
                assertThrows(BackendException.class, () -> backend.createMaskedCopy(repo, COPY, "production", RULES));
        assertTrue(
                e.getMessage().contains("(initialization_error: could not install the anon extension)")
                        && e.getMessage().contains("no masking rule was applied"),
                e.getMessage());
        assertTrue(neon.requestLog("PATCH", ".*").isEmpty(), neon.requestLog().toString());
        assertFalse(neon.branchNames().contains(COPY), neon.branchNames().toString());
    }

    @Test
    void shuffleIsRefusedBeforeAnyRequest() {
        List<Masking.Rule> rules = new ArrayList<>(RULES);
        rules.add(new Masking.Rule("customers", "phone", "shuffle"));
        BackendException e =
                assertThrows(BackendException.class, () -> backend.createMaskedCopy(repo, COPY, "production", rules));
        assertTrue(
                e.getMessage().contains("rule customers.phone asks for shuffle")
                        && e.getMessage().contains("one function or value per column")
                        && e.getMessage().contains("nothing was created"),
                e.getMessage());
        assertEquals(0, neon.requests(), neon.requestsByRoute().toString());
        assertFalse(neon.branchNames().contains(COPY));
    }

    @Test
    void aFinishedCopyIsTakenAgainButAnyOtherBranchOfThatNameIsNot() {
        backend.createMaskedCopy(repo, COPY, "production", RULES);
        neon.resetCounts();
        backend.createMaskedCopy(repo, COPY, "production", RULES);
        assertEquals(0, neon.writes(), "the same copy, asked again: " + neon.requestsByRoute());

        BackendException other = assertThrows(
                BackendException.class, () -> backend.createMaskedCopy(repo, COPY, "production", RULES.subList(0, 2)));
        assertTrue(other.getMessage().contains("other masking rules"), other.getMessage());

        backend.create(repo, "feature-f1", "production");
        BackendException plain = assertThrows(
                BackendException.class, () -> backend.createMaskedCopy(repo, "feature-f1", "production", RULES));
        assertTrue(plain.getMessage().contains("it is no anonymized branch"), plain.getMessage());
        assertTrue(neon.branchNames().contains("feature-f1"), "never deleted: " + neon.branchNames());
    }

    private static void rule(
            ArrayNode rules, String db, String schema, String table, String column, String function, String value) {
        ObjectNode r = rules.addObject();
        r.put("database_name", db);
        r.put("schema_name", schema);
        r.put("table_name", table);
        r.put("column_name", column);
        if (function != null) {
            r.put("masking_function", function);
        }
        if (value != null) {
            r.put("masking_value", value);
        }
    }

    private void sql(String branch, String... statements) throws SQLException {
        try (Connection c = connect(backend.connection(repo, branch));
                Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private List<List<String>> rows(String branch, String query) throws SQLException {
        try (Connection c = connect(backend.connection(repo, branch));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(query)) {
            List<List<String>> out = new ArrayList<>();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    private static Connection connect(BranchConnection c) throws SQLException {
        return DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
    }
}

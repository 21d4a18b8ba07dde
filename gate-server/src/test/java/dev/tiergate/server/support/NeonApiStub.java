package dev.tiergate.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.testkit.ForgeStub;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.postgresql.util.PSQLException;

/**
 * A stand-in for Neon's API v2 (one project), model-backed like {@link ForgeStub}: branches, endpoints and
 * operations as the API reference shapes them (https://api-docs.neon.tech/reference/createprojectbranch,
 * …/restoreprojectbranch, …/getprojectoperation, …/getconnectionuri). Each branch is a real database on the
 * embedded PostgreSQL, copied from its parent's, so the connection URI it hands out connects. Operations run for
 * {@link #operationPolls} reads before they finish. Faults: the next operation fails; the next create hands back the
 * parent (the known GitHub action's bug); every operation fails until healed; or another branch's endpoint; the next connection URI names another host;
 * and ForgeStub's failNext/failPath (429 with Retry-After, 403, 5xx).
 *
 * <p>Roles as Neon makes them (https://neon.com/docs/manage/roles, "The neon_superuser role"): the project's owner
 * role {@value #ROLE} owns each branch's database and is no superuser; it is a member of {@code neon_superuser}, a
 * NOLOGIN role with CREATEDB, CREATEROLE, BYPASSRLS and REPLICATION that holds {@code pg_read_all_data},
 * {@code pg_write_all_data}, {@code pg_monitor} and {@code pg_create_subscription}, and the owner has those
 * attributes itself (PostgreSQL does not pass attributes through membership). {@code neon_superuser} holds ALL on
 * the database, as a {@code pg_dump} of a Neon database shows ({@code GRANT ALL ON DATABASE neondb TO
 * neon_superuser}). PUBLIC keeps PostgreSQL's defaults (CONNECT and TEMPORARY on the database, USAGE on schema
 * {@code public}). A branch copies its parent's roles, with their passwords, and privileges
 * (https://neon.com/docs/manage/roles: "roles in the parent branch are duplicated in the child branch";
 * https://neon.com/faqs/reset-database-password: a password reset on a parent leaves its children's as they were):
 * see {@link StubDatabases} for how one cluster stands for a catalog per branch.
 *
 * <p>Anonymized branches (Beta; https://neon.com/docs/workflows/data-anonymization and its API reference
 * https://neon.com/docs/workflows/data-anonymization-api): POST …/branch_anonymized takes {@code branch_create} (the
 * body of a plain create), optional {@code masking_rules} and {@code start_anonymization}, and answers like a create,
 * the branch carrying {@code restricted_actions} (restore, delete-rw-endpoint; a restore of it is refused, 422 "cannot
 * restore anonymized branches"). Its GET …/anonymized_status goes {@code created} → {@code initialized} after
 * {@link #operationPolls} reads; PATCH …/masking_rules replaces the rules (400 when a rule lacks a name field or has
 * both or neither of {@code masking_function} and {@code masking_value}, which Neon documents as mutually exclusive)
 * and answers them; POST …/anonymize (taken in {@code initialized}, {@code error}, {@code anonymized}, as documented;
 * else 409, a code assumed) masks the branch's database at once and shows {@code anonymizing} for
 * {@link #anonymizationPolls} reads, then {@code anonymized} with "Anonymization completed successfully (…)", or
 * {@code error} with {@code failed_at} and PostgreSQL's own error as {@code status_message}. The masking is real SQL
 * on the branch's database, one transaction, as anon's static masking updates every row: {@code UPDATE schema.table
 * SET column = masking_value}, or {@code = masking_function} with anon's functions played by session-local stand-ins
 * (the ones tiergate's translation uses: {@code hash}, {@code pseudo_email}, {@code pseudo_first_name},
 * {@code pseudo_last_name}, {@code partial}; salted with {@code anon.salt} as anon's are; any other
 * {@code anon.} function fails as unknown, and no {@code anon} schema is left behind, where Neon leaves its
 * extension installed). So a rule naming a database, table or column the branch lacks ends in {@code error} with
 * e.g. {@code column "missing_email" does not exist}: the tables and columns are those the
 * parent's data brought. Faults: {@link #failNextInitialization} ({@code initialization_error}). Every request that
 * reaches the model is kept with its body and the answer ({@link #requestLog}), so a test can assert what was sent.
 */
public final class NeonApiStub extends ForgeStub {
    public static final String PROJECT = "proj-stub-1";
    public static final String KEY = "neon-test-key";
    public static final String ROLE = "neondb_owner";
    /** Neon's administrative role, which every role made through the console, CLI or API is a member of. */
    public static final String ADMIN_ROLE = "neon_superuser";

    private static final String PASSWORD = "npg_stub_password";
    private final Map<String, Branch> branches = new LinkedHashMap<>();
    private final Map<String, Op> operations = new LinkedHashMap<>();
    private final StubDatabases dbs = StubDatabases.of("neon");
    private int ids;
    public volatile int operationPolls = 1;
    /** Reads of GET …/anonymized_status that show {@code anonymizing} before the outcome. */
    public volatile int anonymizationPolls = 1;

    private String failNextInitialization;
    private final List<Request> log = new ArrayList<>();
    private String failNextOperation;
    /** Every operation fails with this until {@link #heal} (an outage of Neon's control plane); null: none. */
    private String failOperations;

    private boolean handBackParent;
    private boolean handBackForeignEndpoint;
    private String nextUriHost;

    private static final class Branch {
        String id;
        String name;
        String parentId;
        boolean isProtected;
        boolean isDefault;
        String expiresAt;
        String state = "ready";
        String db;
        String endpointId;
        /** Made by POST …/branch_anonymized; then its state, rules and the outcome the next reads reveal. */
        boolean anonymized;

        String anonState;
        String statusMessage;
        String createdAt;
        String updatedAt;
        String failedAt;
        List<JsonNode> maskingRules = List.of();
        boolean startWhenInitialized;
        String initFailure;
        int pollsLeft;
        String outcome;
        String outcomeMessage;
    }

    /** A request the model answered: method, path under the project, body ("" when none), status and answer body. */
    public record Request(String method, String path, String body, int status, String answer) {
        public JsonNode json() {
            return readTree(body);
        }

        public JsonNode answerJson() {
            return readTree(answer);
        }
    }

    private record Op(String id, String action, String branchId, String endStatus, String error, int[] pollsLeft) {}

    public NeonApiStub() {
        dbs.ensureGroup(
                ADMIN_ROLE,
                "createdb createrole bypassrls replication",
                "pg_read_all_data",
                "pg_write_all_data",
                "pg_monitor",
                "pg_create_subscription");
        dbs.ensureLogin(ROLE, PASSWORD, "createdb createrole bypassrls replication", ADMIN_ROLE);
        Branch main = new Branch();
        main.id = "br-main-" + (++ids);
        main.name = "main";
        main.isDefault = true;
        main.db = StubDatabases.newName("neon_main");
        main.endpointId = "ep-main-" + ids;
        dbs.createEmpty(main.db, ROLE);
        dbs.run("grant all on database " + StubDatabases.q(main.db) + " to " + ADMIN_ROLE);
        branches.put(main.id, main);
    }

    /** The API base URL the backend is given (TIERGATE_NEON_API_URL). */
    public String apiUrl() {
        return url() + "/api/v2";
    }

    public synchronized void failNextOperation(String error) {
        failNextOperation = error;
    }

    /** Every operation fails with {@code error} until {@link #heal}, as during an outage of Neon's control plane. */
    public synchronized void failOperations(String error) {
        failOperations = error;
    }

    @Override
    public void heal() {
        synchronized (this) {
            failOperations = null;
        }
        super.heal();
    }

    /** The next anonymized branch ends in {@code initialization_error} with this {@code status_message}. */
    public synchronized void failNextInitialization(String statusMessage) {
        failNextInitialization = statusMessage;
    }

    /** Every request the model answered since the start or {@link #clearRequestLog}, in order. */
    public synchronized List<Request> requestLog() {
        return List.copyOf(log);
    }

    /** Those of the log to {@code method} and a path (under the project) matching {@code pathRegex}. */
    public synchronized List<Request> requestLog(String method, String pathRegex) {
        return log.stream()
                .filter(r -> r.method().equals(method) && r.path().matches(pathRegex))
                .toList();
    }

    public synchronized void clearRequestLog() {
        log.clear();
    }

    /** The anonymization state of the branch of that name (null: none, or not an anonymized branch). */
    public synchronized String anonymizationState(String name) {
        return branches.values().stream()
                .filter(b -> b.name.equals(name) && b.anonymized)
                .map(b -> b.anonState)
                .findFirst()
                .orElse(null);
    }

    public synchronized void handBackParentOnNextCreate() {
        handBackParent = true;
    }

    public synchronized void handBackForeignEndpointOnNextCreate() {
        handBackForeignEndpoint = true;
    }

    public synchronized void nextConnectionUriHost(String host) {
        nextUriHost = host;
    }

    /** Names of the branches the project holds now. */
    public synchronized List<String> branchNames() {
        return branches.values().stream().map(b -> b.name).sorted().toList();
    }

    public synchronized Map<String, Object> branchByName(String name) {
        return branches.values().stream()
                .filter(b -> b.name.equals(name))
                .findFirst()
                .map(this::json)
                .orElse(null);
    }

    /** Drops the databases behind the branches. */
    /** The port of the cluster the stand-in's branches live on (Lakebase's API names only an endpoint's host). */
    public int postgresPort() {
        return dbs.port();
    }

    @Override
    public void close() {
        super.close();
        branches.values().forEach(b -> dbs.drop(b.db));
    }

    @Override
    protected String routeOf(String method, String path) {
        return method + " "
                + path.replaceFirst("^/api/v2/projects/[^/]+", "/projects/{project_id}")
                        .replaceAll("/br-[a-z0-9-]+", "/{branch_id}")
                        .replaceAll("/op-[a-z0-9-]+", "/{operation_id}");
    }

    @Override
    protected Answer answer(Call call) {
        Answer a = route(call);
        String prefix = "/api/v2/projects/" + PROJECT;
        String path = call.path().startsWith(prefix) ? call.path().substring(prefix.length()) : call.path();
        log.add(new Request(call.method(), path, Objects.requireNonNullElse(call.body(), ""), a.status(), a.body()));
        return a;
    }

    private Answer route(Call call) {
        if (!("Bearer " + KEY).equals(call.header("Authorization"))) {
            return error(401, "authentication required");
        }
        String prefix = "/api/v2/projects/" + PROJECT;
        if (!call.path().startsWith(prefix)) {
            return error(404, "project not found");
        }
        String p = call.path().substring(prefix.length());
        String[] seg = p.split("/");
        String m = call.method();
        if (p.equals("/branches") && m.equals("GET")) {
            return Answer.json(
                    200,
                    Map.of(
                            "branches",
                            branches.values().stream().map(this::json).toList(),
                            "annotations",
                            Map.of()));
        }
        if (p.equals("/branches") && m.equals("POST")) {
            return create(read(call), null);
        }
        if (p.equals("/branch_anonymized") && m.equals("POST")) {
            JsonNode body = read(call);
            String bad = badRules(body.path("masking_rules"));
            if (bad != null) {
                return error(400, bad);
            }
            return create(body.path("branch_create"), body);
        }
        if (seg.length >= 3 && seg[1].equals("branches")) {
            Branch b = branches.get(seg[2]);
            if (b == null) {
                return error(404, "branch not found");
            }
            if (seg.length == 3 && m.equals("GET")) {
                return Answer.json(200, Map.of("branch", json(b)));
            }
            if (seg.length == 3 && m.equals("DELETE")) {
                return delete(b);
            }
            if (seg.length == 4 && seg[3].equals("restore") && m.equals("POST")) {
                if (b.anonymized) {
                    return error(422, "cannot restore anonymized branches");
                }
                return restore(b, read(call));
            }
            if (seg.length == 4 && seg[3].equals("anonymized_status") && m.equals("GET")) {
                if (!b.anonymized) {
                    return error(404, "branch " + b.id + " is not an anonymized branch");
                }
                readStatus(b);
                return Answer.json(200, status(b));
            }
            if (seg.length == 4 && seg[3].equals("masking_rules") && m.equals("GET")) {
                return b.anonymized
                        ? Answer.json(200, Map.of("masking_rules", b.maskingRules))
                        : error(400, "branch " + b.id + " is not an anonymized branch");
            }
            if (seg.length == 4 && seg[3].equals("masking_rules") && m.equals("PATCH")) {
                return updateRules(b, read(call));
            }
            if (seg.length == 4 && seg[3].equals("anonymize") && m.equals("POST")) {
                return anonymize(b);
            }
            if (seg.length == 4 && seg[3].equals("endpoints") && m.equals("GET")) {
                return Answer.json(200, Map.of("endpoints", b.endpointId == null ? List.of() : List.of(endpoint(b))));
            }
            if (seg.length == 4 && seg[3].equals("databases") && m.equals("GET")) {
                return Answer.json(
                        200,
                        Map.of(
                                "databases",
                                List.of(Map.of("id", 1, "branch_id", b.id, "name", b.db, "owner_name", ROLE))));
            }
        }
        if (seg.length == 3 && seg[1].equals("operations") && m.equals("GET")) {
            Op op = operations.get(seg[2]);
            return op == null ? error(404, "operation not found") : Answer.json(200, Map.of("operation", poll(op)));
        }
        if (p.equals("/connection_uri") && m.equals("GET")) {
            Branch b = branches.get(call.query().get("branch_id"));
            if (b == null
                    || !ROLE.equals(call.query().get("role_name"))
                    || !b.db.equals(call.query().get("database_name"))) {
                return error(404, "no such branch, role or database");
            }
            String host = nextUriHost == null ? "localhost" : nextUriHost;
            nextUriHost = null;
            return Answer.json(
                    200,
                    Map.of(
                            "uri",
                            "postgresql://" + ROLE + ":" + PASSWORD + "@" + host + ":" + dbs.port() + "/" + b.db
                                    + "?sslmode=require"));
        }
        return error(404, "not routed: " + m + " " + p);
    }

    /** A branch as POST …/branches makes it; {@code anonymized}: the body of POST …/branch_anonymized (null: plain). */
    private Answer create(JsonNode body, JsonNode anonymized) {
        JsonNode nb = body.path("branch");
        String name = nb.path("name").asText();
        Branch parent = branches.get(nb.path("parent_id").asText());
        if (parent == null) {
            return error(400, "parent branch not found");
        }
        if (branches.values().stream().anyMatch(x -> x.name.equals(name))) {
            return error(409, "branch with name '" + name + "' already exists");
        }
        Branch b = new Branch();
        b.id = "br-" + name.replaceAll("[^a-z0-9]", "") + "-" + (++ids);
        b.name = name;
        b.parentId = parent.id;
        b.isProtected = nb.path("protected").asBoolean(false);
        b.expiresAt = nb.hasNonNull("expires_at") ? nb.get("expires_at").asText() : null;
        b.db = StubDatabases.newName("neon");
        dbs.copy(parent.db, b.db);
        boolean withEndpoint = body.path("endpoints").size() > 0;
        if (withEndpoint) {
            b.endpointId = "ep-" + (++ids);
        }
        if (anonymized != null) {
            b.anonymized = true;
            b.anonState = "created";
            b.createdAt = now();
            b.updatedAt = b.createdAt;
            b.pollsLeft = operationPolls;
            b.maskingRules = list(anonymized.path("masking_rules"));
            b.startWhenInitialized = anonymized.path("start_anonymization").asBoolean(false);
            b.initFailure = failNextInitialization;
            failNextInitialization = null;
        }
        branches.put(b.id, b);
        List<Object> ops = new ArrayList<>();
        ops.add(poll(newOp("create_branch", b.id)));
        if (withEndpoint) {
            ops.add(poll(newOp("start_compute", b.id)));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("branch", json(handBackParent ? parent : b));
        Map<String, Object> ep = withEndpoint ? endpoint(b) : null;
        if (ep != null && handBackForeignEndpoint) {
            ep.put("branch_id", parent.id);
        }
        handBackParent = false;
        handBackForeignEndpoint = false;
        answer.put("endpoints", ep == null ? List.of() : List.of(ep));
        answer.put("operations", ops);
        answer.put("roles", List.of(Map.of("branch_id", b.id, "name", ROLE, "protected", false)));
        answer.put("databases", List.of(Map.of("id", ids, "branch_id", b.id, "name", b.db, "owner_name", ROLE)));
        answer.put(
                "connection_uris",
                List.of(Map.of(
                        "connection_uri",
                        "postgresql://" + ROLE + ":" + PASSWORD + "@localhost:" + dbs.port() + "/" + b.db)));
        return Answer.json(201, answer);
    }

    private Answer delete(Branch b) {
        if (b.isDefault || b.isProtected) {
            return error(422, "cannot delete a protected or default branch");
        }
        if (branches.values().stream().anyMatch(c -> b.id.equals(c.parentId))) {
            return error(422, "branch has children");
        }
        branches.remove(b.id);
        dbs.drop(b.db);
        return Answer.json(200, Map.of("branch", json(b), "operations", List.of(poll(newOp("delete_timeline", b.id)))));
    }

    private Answer restore(Branch target, JsonNode body) {
        Branch source = branches.get(body.path("source_branch_id").asText());
        if (source == null) {
            return error(400, "source branch not found");
        }
        boolean hasChildren = branches.values().stream().anyMatch(c -> target.id.equals(c.parentId));
        String preserve = body.path("preserve_under_name").asText("");
        if (hasChildren && preserve.isEmpty()) {
            return error(400, "preserve_under_name is required: the branch has children");
        }
        if (!preserve.isEmpty()) {
            Branch kept = new Branch();
            kept.id = "br-kept-" + (++ids);
            kept.name = preserve;
            kept.parentId = target.parentId;
            kept.db = StubDatabases.newName("neon_kept");
            dbs.rename(target.db, kept.db);
            branches.values().stream().filter(c -> target.id.equals(c.parentId)).forEach(c -> c.parentId = kept.id);
            branches.put(kept.id, kept);
        } else {
            dbs.drop(target.db);
        }
        dbs.copy(source.db, target.db);
        return Answer.json(
                200, Map.of("branch", json(target), "operations", List.of(poll(newOp("restore_branch", target.id)))));
    }

    private Op newOp(String action, String branchId) {
        String error = failNextOperation != null ? failNextOperation : failOperations;
        failNextOperation = null;
        Op op = new Op("op-" + (++ids), action, branchId, error == null ? "finished" : "failed", error, new int[] {
            operationPolls
        });
        operations.put(op.id, op);
        return op;
    }

    private Map<String, Object> poll(Op op) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", op.id);
        o.put("project_id", PROJECT);
        o.put("branch_id", op.branchId);
        o.put("action", op.action);
        o.put("status", op.pollsLeft[0]-- > 0 ? "running" : op.endStatus);
        if (op.pollsLeft[0] < 0 && op.error != null) {
            o.put("error", op.error);
        }
        return o;
    }

    private Map<String, Object> json(Branch b) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", b.id);
        o.put("project_id", PROJECT);
        o.put("parent_id", b.parentId);
        o.put("name", b.name);
        o.put("current_state", b.state);
        o.put("protected", b.isProtected);
        o.put("default", b.isDefault);
        o.put("expires_at", b.expiresAt);
        if (b.anonymized) {
            o.put("init_source", "parent-data");
            o.put(
                    "restricted_actions",
                    List.of(
                            Map.of("name", "restore", "reason", "cannot restore anonymized branches"),
                            Map.of(
                                    "name",
                                    "delete-rw-endpoint",
                                    "reason",
                                    "cannot delete read-write endpoints for anonymized branches")));
        }
        return o;
    }

    /** Why these masking rules are refused (400), or null. */
    private static String badRules(JsonNode rules) {
        if (rules.isMissingNode() || rules.isNull()) {
            return null;
        }
        if (!rules.isArray()) {
            return "masking_rules must be an array";
        }
        for (JsonNode r : rules) {
            for (String f : List.of("database_name", "schema_name", "table_name", "column_name")) {
                if (!r.path(f).isTextual() || r.path(f).asText().isEmpty()) {
                    return "masking rule " + r + ": " + f + " is required";
                }
            }
            if (r.hasNonNull("masking_function") == r.hasNonNull("masking_value")) {
                return "masking rule " + r + ": give either masking_function or masking_value";
            }
        }
        return null;
    }

    private Answer updateRules(Branch b, JsonNode body) {
        if (!b.anonymized) {
            return error(400, "branch " + b.id + " is not an anonymized branch");
        }
        if ("anonymizing".equals(b.anonState)) {
            return error(409, "the branch is being anonymized");
        }
        if (!body.path("masking_rules").isArray()) {
            return error(400, "masking_rules is required");
        }
        String bad = badRules(body.path("masking_rules"));
        if (bad != null) {
            return error(400, bad);
        }
        b.maskingRules = list(body.path("masking_rules"));
        b.updatedAt = now();
        return Answer.json(200, Map.of("masking_rules", b.maskingRules));
    }

    private Answer anonymize(Branch b) {
        if (!b.anonymized) {
            return error(400, "branch " + b.id + " is not an anonymized branch");
        }
        if (!List.of("initialized", "error", "anonymized").contains(b.anonState)) {
            return error(
                    409,
                    "anonymization starts in the initialized, error or anonymized state; the branch is " + b.anonState);
        }
        startAnonymization(b);
        return Answer.json(200, status(b));
    }

    /** A read of the status: a pending transition happens once its reads are used up. */
    private void readStatus(Branch b) {
        if (!"created".equals(b.anonState) && !"anonymizing".equals(b.anonState)) {
            return;
        }
        if (b.pollsLeft-- > 0) {
            return;
        }
        b.updatedAt = now();
        if ("created".equals(b.anonState)) {
            if (b.initFailure != null) {
                b.anonState = "initialization_error";
                b.statusMessage = b.initFailure;
                b.failedAt = b.updatedAt;
            } else {
                b.anonState = "initialized";
                b.statusMessage = "Branch initialized";
                if (b.startWhenInitialized) {
                    startAnonymization(b);
                }
            }
            return;
        }
        b.anonState = b.outcome;
        b.statusMessage = b.outcomeMessage;
        b.failedAt = "error".equals(b.outcome) ? b.updatedAt : null;
    }

    /** Masks the branch's database now; the outcome shows after {@link #anonymizationPolls} reads. */
    private void startAnonymization(Branch b) {
        String failure = mask(b);
        long tables = b.maskingRules.stream()
                .map(r -> r.path("schema_name").asText() + "."
                        + r.path("table_name").asText())
                .distinct()
                .count();
        b.outcome = failure == null ? "anonymized" : "error";
        b.outcomeMessage = failure != null
                ? failure
                : "Anonymization completed successfully (" + tables + " tables, " + b.maskingRules.size()
                        + " masking rules applied)";
        b.anonState = "anonymizing";
        b.statusMessage = "Anonymizing " + tables + " tables";
        b.failedAt = null;
        b.updatedAt = now();
        b.pollsLeft = anonymizationPolls;
    }

    /**
     * The rules applied to the branch's database in one transaction, anon's functions played by stand-ins in
     * {@code pg_temp} (gone with the session); null when it worked, else PostgreSQL's error message.
     */
    private String mask(Branch b) {
        List<String> sql = new ArrayList<>(List.of("begin"));
        sql.addAll(ANON_STAND_INS);
        for (JsonNode r : b.maskingRules) {
            String database = r.path("database_name").asText();
            if (!database.equals(b.db)) {
                return "database \"" + database + "\" does not exist";
            }
            String to = r.hasNonNull("masking_value")
                    ? r.path("masking_value").asText()
                    : r.path("masking_function").asText().replaceAll("\\banon\\.", "pg_temp.");
            sql.add("update " + StubDatabases.q(r.path("schema_name").asText()) + "."
                    + StubDatabases.q(r.path("table_name").asText()) + " set "
                    + StubDatabases.q(r.path("column_name").asText()) + " = " + to);
        }
        sql.add("commit");
        try {
            dbs.runIn(b.db, sql.toArray(String[]::new));
            return null;
        } catch (IllegalStateException e) {
            String message = e.getCause() instanceof PSQLException p && p.getServerErrorMessage() != null
                    ? p.getServerErrorMessage().getMessage()
                    : e.getMessage();
            return message.replace("pg_temp.", "anon.");
        }
    }

    /** Stand-ins for the anon functions tiergate's masking rules use (PostgreSQL Anonymizer 2's signatures). */
    private static final List<String> ANON_STAND_INS = List.of(
            "create function pg_temp.hash(text) returns text language sql strict as $$ select"
                    + " encode(sha256(convert_to(coalesce(current_setting('anon.salt', true), '') || $1, 'UTF8')),"
                    + " 'hex') $$",
            "create function pg_temp.pseudo_email(anyelement) returns text language sql strict as $$ select 'user_'"
                    + " || left(pg_temp.hash($1::text), 12) || '@example.com' $$",
            "create function pg_temp.pseudo_first_name(anyelement) returns text language sql strict as $$ select"
                    + " (array['Alex','Blake','Casey','Dana','Eli','Frankie','Gray','Harper'])[1 +"
                    + " get_byte(decode(pg_temp.hash($1::text), 'hex'), 0) % 8] $$",
            "create function pg_temp.pseudo_last_name(anyelement) returns text language sql strict as $$ select"
                    + " (array['Ashgrove','Birchwell','Coldharbour','Dunmere','Eastbrook','Fernhollow','Glenmoor',"
                    + "'Hollowell'])[1 + get_byte(decode(pg_temp.hash($1::text), 'hex'), 1) % 8] $$",
            "create function pg_temp.partial(text, integer, text, integer) returns text language sql strict as $$"
                    + " select left($1, $2) || $3 || right($1, $4) $$");

    private Map<String, Object> status(Branch b) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("project_id", PROJECT);
        o.put("branch_id", b.id);
        o.put("state", b.anonState);
        if (b.statusMessage != null) {
            o.put("status_message", b.statusMessage);
        }
        o.put("created_at", b.createdAt);
        o.put("updated_at", b.updatedAt);
        if (b.failedAt != null) {
            o.put("failed_at", b.failedAt);
        }
        return o;
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return List.copyOf(out);
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static JsonNode readTree(String text) {
        try {
            return JSON.readTree(text == null || text.isEmpty() ? "{}" : text);
        } catch (Exception e) {
            return JSON.missingNode();
        }
    }

    private Map<String, Object> endpoint(Branch b) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", b.endpointId);
        e.put("project_id", PROJECT);
        e.put("branch_id", b.id);
        e.put("host", "localhost");
        e.put("type", "read_write");
        e.put("current_state", "active");
        return e;
    }

    private static JsonNode read(Call call) {
        try {
            return JSON.readTree(Objects.requireNonNullElse(call.body(), "{}"));
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    private static Answer error(int status, String message) {
        return Answer.json(status, Map.of("code", "", "message", message));
    }
}

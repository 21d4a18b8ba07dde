package dev.tiergate.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.testkit.ForgeStub;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
            return create(read(call));
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
                return restore(b, read(call));
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

    private Answer create(JsonNode body) {
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
        return o;
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

package dev.tiergate.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.testkit.ForgeStub;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A stand-in for a Databricks workspace's Lakebase postgres API (one project), model-backed like {@link ForgeStub},
 * answering what the Databricks SDK for Java sends: {@code /api/2.0/postgres/projects/<p>/branches} (create with
 * {@code ?branch_id}, list, get, update, delete), {@code …/endpoints}, {@code …/databases},
 * {@code /api/2.0/postgres/credentials}, operations by name, {@code /api/2.0/preview/scim/v2/Me}, and OAuth M2M
 * ({@code /oidc/.well-known/oauth-authorization-server}, {@code /oidc/v1/token}). Shapes follow
 * https://docs.databricks.com/api/postgres/v1/create-branch and its siblings. It refuses what the service refuses: a
 * branch without an expiration policy ({@code ttl}, {@code expire_time} or {@code no_expiry}), deleting a protected
 * branch or one with children, and writes by an identity with CAN USE only. Each branch is a real database on the
 * embedded PostgreSQL. Faults: the next operation fails; the next branch read back is its parent.
 *
 * <p>Roles as Lakebase makes them (https://docs.databricks.com/aws/en/oltp/projects/manage-roles-permissions,
 * "Pre-created roles and default permissions"): the project owner's Databricks identity ({@value #TOKEN_USER} here)
 * owns each branch's {@code databricks_postgres} database; it has LOGIN, CREATEDB, CREATEROLE, REPLICATION and
 * BYPASSRLS and is a member of {@code databricks_superuser}, a NOLOGIN role with CREATEDB, CREATEROLE and BYPASSRLS
 * that inherits {@code pg_read_all_data}, {@code pg_write_all_data} and {@code pg_monitor} and holds "all privileges
 * (with grant) on all databases, schemas, tables, and sequences" (modelled as grants on the database and schema
 * {@code public} and default privileges on what the identities create). Neither is a superuser. The service
 * principal ({@value #CLIENT_ID}) has a role of its own with the same memberships, as one made with
 * {@code databricks_create_role} and granted {@code databricks_superuser} would. A credential is an OAuth token that
 * expires after an hour (https://docs.databricks.com/aws/en/oltp/projects/manage-roles); the service mints a new
 * one each time and each stays valid for its hour, where one PostgreSQL password cannot stand for several, so the
 * stand-in hands the identity's current token again until it is near its end. A branch inherits its parent's roles
 * (https://docs.databricks.com/aws/en/oltp/projects/manage-roles: "Roles are branch-scoped. When you create a child
 * branch, it inherits roles from its parent branch"): see {@link StubDatabases}.
 */
public final class LakebaseApiStub extends ForgeStub {
    public static final String PROJECT = "shop";
    public static final String TOKEN = "dapi-test-token";
    public static final String TOKEN_USER = "dev@example.com";
    public static final String CLIENT_ID = "6f1a3c2e-sp";
    public static final String CLIENT_SECRET = "sp-secret";
    private static final String OAUTH_TOKEN = "oauth-access-" + UUID.randomUUID();
    /** Lakebase's administrative role. */
    public static final String ADMIN_ROLE = "databricks_superuser";

    private static final String ATTRIBUTES = "createdb createrole bypassrls replication";
    private final Map<String, Token> tokens = new LinkedHashMap<>();
    private final Map<String, Branch> branches = new LinkedHashMap<>();
    private final Map<String, Op> operations = new LinkedHashMap<>();
    private final StubDatabases dbs = StubDatabases.of("lakebase");
    private int ids;
    public volatile int operationPolls = 1;
    public volatile boolean canManage = true;
    private String[] failNextOperation;
    private boolean handBackParent;
    private final List<String> createBodies = new ArrayList<>();

    private static final class Branch {
        String id;
        String uid = UUID.randomUUID().toString();
        String source;
        boolean isProtected;
        boolean isDefault;
        String ttl;
        boolean noExpiry;
        String db;
        boolean endpoint;
    }

    private record Op(String name, String[] error, int[] pollsLeft) {}

    private record Token(String value, Instant expires) {}

    public LakebaseApiStub() {
        dbs.ensureGroup(
                ADMIN_ROLE, "createdb createrole bypassrls", "pg_read_all_data", "pg_write_all_data", "pg_monitor");
        for (String identity : List.of(TOKEN_USER, CLIENT_ID)) {
            dbs.ensureLogin(identity, "unset-" + UUID.randomUUID(), ATTRIBUTES, ADMIN_ROLE);
        }
        Branch prod = new Branch();
        prod.id = "production";
        prod.isDefault = true;
        prod.isProtected = true;
        prod.noExpiry = true;
        prod.endpoint = true;
        prod.db = StubDatabases.newName("lakebase_production");
        dbs.createEmpty(prod.db, TOKEN_USER);
        dbs.run("grant all on database " + StubDatabases.q(prod.db) + " to " + ADMIN_ROLE + " with grant option");
        List<String> inDatabase =
                new ArrayList<>(List.of("grant all on schema public to " + ADMIN_ROLE + " with grant option"));
        for (String identity : List.of(TOKEN_USER, CLIENT_ID)) {
            for (String kind : List.of("tables", "sequences", "schemas")) {
                inDatabase.add("alter default privileges for role " + StubDatabases.q(identity) + " grant all on "
                        + kind + " to " + ADMIN_ROLE + " with grant option");
            }
        }
        dbs.runIn(prod.db, inDatabase.toArray(String[]::new));
        branches.put(name(prod), prod);
    }

    private static String name(Branch b) {
        return "projects/" + PROJECT + "/branches/" + b.id;
    }

    public synchronized void failNextOperation(String code, String message) {
        failNextOperation = new String[] {code, message};
    }

    public synchronized void handBackParentOnNextCreate() {
        handBackParent = true;
    }

    /** The ids of the branches the project holds now. */
    public synchronized List<String> branchIds() {
        return branches.values().stream().map(b -> b.id).sorted().toList();
    }

    /** The bodies of every branch create, as sent. */
    public synchronized List<String> createBodies() {
        return List.copyOf(createBodies);
    }

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
                + path.replaceFirst("/projects/[^/]+", "/projects/{project}")
                        .replaceFirst("/branches/[^/]+", "/branches/{branch}")
                        .replaceFirst("/operations/[^/]+", "/operations/{operation}");
    }

    @Override
    protected Answer answer(Call call) {
        String p = call.path();
        String m = call.method();
        if (p.equals("/oidc/.well-known/oauth-authorization-server")) {
            return Answer.json(
                    200,
                    Map.of(
                            "authorization_endpoint",
                            url() + "/oidc/v1/authorize",
                            "token_endpoint",
                            url() + "/oidc/v1/token",
                            "issuer",
                            url() + "/oidc"));
        }
        if (p.equals("/oidc/v1/token") && m.equals("POST")) {
            String basic = "Basic "
                    + Base64.getEncoder()
                            .encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
            String body = Objects.requireNonNullElse(call.body(), "");
            boolean ok = basic.equals(call.header("Authorization"))
                    || body.contains("client_id=" + CLIENT_ID) && body.contains("client_secret=" + CLIENT_SECRET);
            return ok
                    ? Answer.json(200, Map.of("access_token", OAUTH_TOKEN, "token_type", "Bearer", "expires_in", 3600))
                    : Answer.json(
                            401,
                            Map.of("error", "invalid_client", "error_description", "Client authentication failed"));
        }
        String auth = call.header("Authorization");
        String identity = ("Bearer " + TOKEN).equals(auth)
                ? TOKEN_USER
                : ("Bearer " + OAUTH_TOKEN).equals(auth) ? CLIENT_ID : null;
        if (identity == null) {
            return error(401, "UNAUTHENTICATED", "Invalid access token.");
        }
        if (p.equals("/api/2.0/preview/scim/v2/Me")) {
            return Answer.json(200, Map.of("userName", TOKEN_USER, "id", "1"));
        }
        String prefix = "/api/2.0/postgres/";
        if (!p.startsWith(prefix)) {
            return error(404, "ENDPOINT_NOT_FOUND", "No API found for " + m + " " + p);
        }
        String res = p.substring(prefix.length());
        if (!m.equals("GET") && !canManage && !res.equals("credentials")) {
            return error(403, "PERMISSION_DENIED", "User does not have CAN MANAGE permission on project " + PROJECT);
        }
        if (res.contains("/operations/")) {
            Op op = operations.get(res);
            return op == null ? error(404, "NOT_FOUND", "operation not found") : Answer.json(200, poll(op));
        }
        if (res.equals("credentials") && m.equals("POST")) {
            Token t = tokens.get(identity);
            if (t == null || t.expires().isBefore(Instant.now().plusSeconds(600))) {
                t = new Token("lb-cred-" + UUID.randomUUID(), Instant.now().plusSeconds(3600));
                dbs.setPassword(identity, t.value());
                tokens.put(identity, t);
            }
            return Answer.json(
                    200, Map.of("token", t.value(), "expire_time", t.expires().toString()));
        }
        String projectPrefix = "projects/" + PROJECT;
        if (!res.startsWith(projectPrefix)) {
            return error(404, "NOT_FOUND", "Project " + res + " does not exist");
        }
        String[] seg = res.split("/");
        if (seg.length == 3 && seg[2].equals("branches")) {
            if (m.equals("GET")) {
                return Answer.json(
                        200,
                        Map.of(
                                "branches",
                                branches.values().stream().map(this::json).toList()));
            }
            if (m.equals("POST")) {
                return create(call.query().get("branch_id"), call.body());
            }
        }
        if (seg.length >= 4 && seg[2].equals("branches")) {
            Branch b = branches.get(projectPrefix + "/branches/" + seg[3]);
            if (b == null) {
                return error(404, "NOT_FOUND", "Branch " + seg[3] + " does not exist");
            }
            if (seg.length == 4) {
                switch (m) {
                    case "GET" -> {
                        if (handBackParent && b.source != null) {
                            handBackParent = false;
                            return Answer.json(200, json(branches.get(b.source)));
                        }
                        return Answer.json(200, json(b));
                    }
                    case "DELETE" -> {
                        return delete(b);
                    }
                    case "PATCH" -> {
                        JsonNode body = read(call.body());
                        if (body.path("spec").has("is_protected")) {
                            b.isProtected =
                                    body.path("spec").path("is_protected").asBoolean();
                        }
                        return Answer.json(200, newOp(name(b), json(b)));
                    }
                    default -> {
                        return error(405, "BAD_REQUEST", m);
                    }
                }
            }
            if (seg.length == 5 && seg[4].equals("endpoints")) {
                if (m.equals("GET")) {
                    return Answer.json(200, Map.of("endpoints", b.endpoint ? List.of(endpoint(b)) : List.of()));
                }
                if (m.equals("POST")) {
                    if (b.endpoint) {
                        return error(409, "ALREADY_EXISTS", "endpoint exists");
                    }
                    b.endpoint = true;
                    return Answer.json(200, newOp(name(b) + "/endpoints/primary", endpoint(b)));
                }
            }
            if (seg.length == 5 && seg[4].equals("databases") && m.equals("GET")) {
                return Answer.json(
                        200,
                        Map.of(
                                "databases",
                                List.of(Map.of(
                                        "name",
                                        name(b) + "/databases/databricks-postgres",
                                        "parent",
                                        name(b),
                                        "status",
                                        Map.of("postgres_database", b.db, "role", "databricks_superuser")))));
            }
        }
        return error(404, "ENDPOINT_NOT_FOUND", "not routed: " + m + " " + p);
    }

    private Answer create(String branchId, String rawBody) {
        createBodies.add(rawBody);
        JsonNode spec = read(rawBody).path("spec");
        if (branchId == null || !branchId.matches("[a-z][a-z0-9-]{0,62}")) {
            return error(
                    400,
                    "INVALID_PARAMETER_VALUE",
                    "branch_id must be 1-63 characters, start with a lowercase letter, and contain only lowercase letters, numbers, and hyphens");
        }
        if (!spec.has("ttl")
                && !spec.has("expire_time")
                && !spec.path("no_expiry").asBoolean(false)) {
            return error(
                    400,
                    "INVALID_PARAMETER_VALUE",
                    "Expiration configuration for the branch is required: one of expire_time, ttl, or no_expiry must be provided");
        }
        String resource = "projects/" + PROJECT + "/branches/" + branchId;
        if (branches.containsKey(resource)) {
            return error(409, "ALREADY_EXISTS", "Branch " + branchId + " already exists");
        }
        Branch source = branches.get(spec.path("source_branch")
                .asText(name(branches.values().iterator().next())));
        if (source == null) {
            return error(400, "INVALID_PARAMETER_VALUE", "source branch does not exist");
        }
        Branch b = new Branch();
        b.id = branchId;
        b.source = name(source);
        b.isProtected = spec.path("is_protected").asBoolean(false);
        b.noExpiry = spec.path("no_expiry").asBoolean(false);
        b.ttl = spec.has("ttl") ? spec.get("ttl").asText() : null;
        b.db = StubDatabases.newName("lakebase");
        dbs.copy(source.db, b.db);
        branches.put(resource, b);
        return Answer.json(200, newOp(resource, json(b)));
    }

    private Answer delete(Branch b) {
        if (b.isProtected || b.isDefault) {
            return error(400, "FAILED_PRECONDITION", "Branch " + b.id + " is protected and cannot be deleted");
        }
        if (branches.values().stream().anyMatch(c -> name(b).equals(c.source))) {
            return error(400, "FAILED_PRECONDITION", "Branch " + b.id + " has child branches");
        }
        branches.remove(name(b));
        dbs.drop(b.db);
        return Answer.json(200, newOp(name(b), Map.of()));
    }

    private Map<String, Object> newOp(String resource, Object response) {
        String[] error = failNextOperation;
        failNextOperation = null;
        Op op = new Op(resource + "/operations/op-" + (++ids), error, new int[] {operationPolls});
        operations.put(op.name(), op);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", op.name());
        o.put("done", false);
        return o;
    }

    private Map<String, Object> poll(Op op) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", op.name());
        boolean done = op.pollsLeft()[0]-- <= 0;
        o.put("done", done);
        if (done && op.error() != null) {
            o.put("error", Map.of("error_code", op.error()[0], "message", op.error()[1]));
        }
        return o;
    }

    private Map<String, Object> json(Branch b) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("current_state", "READY");
        status.put("default", b.isDefault);
        status.put("is_protected", b.isProtected);
        if (b.source != null) {
            status.put("source_branch", b.source);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", name(b));
        o.put("uid", b.uid);
        o.put("parent", "projects/" + PROJECT);
        o.put("status", status);
        return o;
    }

    /** The ttl the branch was created with, as sent (e.g. "2592000s"), or null. */
    public synchronized String ttlOf(String branchId) {
        Branch b = branches.get("projects/" + PROJECT + "/branches/" + branchId);
        return b == null ? null : b.ttl;
    }

    public synchronized boolean noExpiryOf(String branchId) {
        Branch b = branches.get("projects/" + PROJECT + "/branches/" + branchId);
        return b != null && b.noExpiry;
    }

    private Map<String, Object> endpoint(Branch b) {
        return Map.of(
                "name",
                name(b) + "/endpoints/primary",
                "parent",
                name(b),
                "status",
                Map.of(
                        "endpoint_type",
                        "ENDPOINT_TYPE_READ_WRITE",
                        "current_state",
                        "ACTIVE",
                        "hosts",
                        Map.of("host", "localhost")));
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(Objects.requireNonNullElse(body, "{}"));
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    private static Answer error(int status, String code, String message) {
        return Answer.json(status, Map.of("error_code", code, "message", message));
    }
}

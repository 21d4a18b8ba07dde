package dev.tiergate.server.backend.lakebase;

import com.databricks.sdk.core.ApiClient;
import com.databricks.sdk.core.DatabricksConfig;
import com.databricks.sdk.core.DatabricksError;
import com.databricks.sdk.core.DatabricksException;
import com.databricks.sdk.core.utils.Timer;
import com.databricks.sdk.service.iam.CurrentUserAPI;
import com.databricks.sdk.service.iam.MeRequest;
import com.databricks.sdk.service.postgres.Branch;
import com.databricks.sdk.service.postgres.BranchSpec;
import com.databricks.sdk.service.postgres.CreateBranchRequest;
import com.databricks.sdk.service.postgres.CreateEndpointRequest;
import com.databricks.sdk.service.postgres.Database;
import com.databricks.sdk.service.postgres.DatabaseCredential;
import com.databricks.sdk.service.postgres.DeleteBranchRequest;
import com.databricks.sdk.service.postgres.Endpoint;
import com.databricks.sdk.service.postgres.EndpointSpec;
import com.databricks.sdk.service.postgres.EndpointType;
import com.databricks.sdk.service.postgres.GenerateDatabaseCredentialRequest;
import com.databricks.sdk.service.postgres.ListBranchesRequest;
import com.databricks.sdk.service.postgres.ListDatabasesRequest;
import com.databricks.sdk.service.postgres.ListEndpointsRequest;
import com.databricks.sdk.service.postgres.Operation;
import com.databricks.sdk.service.postgres.PostgresAPI;
import com.databricks.sdk.service.postgres.UpdateBranchRequest;
import com.google.protobuf.FieldMask;
import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Lakebase calls tiergate makes, through the official Databricks SDK for Java (its {@code postgres} service:
 * https://docs.databricks.com/api/postgres/v1/create-branch and siblings). The SDK authenticates (OAuth M2M or a
 * token) and retries 429s waiting what {@code Retry-After} says, on the {@link Sleeper} given here; this class adds
 * bounded retries of 5xx (every call tiergate makes is safe to repeat: branches are created under a chosen id) and
 * turns the service's refusals into messages that say what to fix, naming the permission the credentials lack.
 */
final class LakebaseApi {
    private final LakebaseSettings settings;
    private final Sleeper sleeper;
    private final ApiClient client;
    private final PostgresAPI postgres;
    private volatile String identity;

    LakebaseApi(LakebaseSettings settings, Sleeper sleeper) {
        this.settings = settings;
        this.sleeper = sleeper;
        DatabricksConfig cfg = new DatabricksConfig().setHost(settings.host());
        if (settings.token() != null) {
            cfg.setAuthType("pat").setToken(settings.token());
        } else {
            cfg.setAuthType("oauth-m2m").setClientId(settings.clientId()).setClientSecret(settings.clientSecret());
        }
        try {
            this.client = new ApiClient(cfg, timer(sleeper));
        } catch (DatabricksException e) {
            throw new BackendException(
                    "cannot set up the Databricks client for " + settings.host() + ": " + e.getMessage(), e);
        }
        this.postgres = new PostgresAPI(client);
    }

    /** The SDK's clock and sleep on our sleeper; time a test's sleeper skips still counts toward the SDK's retry bound. */
    private static Timer timer(Sleeper sleeper) {
        long[] skipped = {0};
        return new Timer() {
            @Override
            public void sleep(long ms) throws InterruptedException {
                sleeper.sleep(Duration.ofMillis(ms));
                if (sleeper != Sleeper.REAL) {
                    skipped[0] += ms;
                }
            }

            @Override
            public long getCurrentTime() {
                return System.currentTimeMillis() + skipped[0];
            }
        };
    }

    List<LakebaseBranch> branches() {
        return call("list the branches of", false, () -> {
            List<LakebaseBranch> out = new ArrayList<>();
            postgres.listBranches(new ListBranchesRequest().setParent(settings.project()))
                    .forEach(b -> out.add(LakebaseBranch.of(b)));
            return out;
        });
    }

    Optional<LakebaseBranch> branch(String name) {
        return notFoundIsEmpty(
                () -> call("read branch " + name + " of", false, () -> LakebaseBranch.of(postgres.getBranch(name))));
    }

    /**
     * Starts creating {@code projects/<p>/branches/<branchId>} from {@code source}, with the expiration policy
     * Lakebase requires on every branch: {@code ttl}, or {@code no_expiry} when {@code ttl} is null. Returns the
     * operation's name, or empty when a branch of that id exists already.
     */
    Optional<String> createBranch(String branchId, String source, Duration ttl, boolean protect) {
        BranchSpec spec = new BranchSpec().setSourceBranch(source);
        if (ttl == null) {
            spec.setNoExpiry(true);
        } else {
            spec.setTtl(com.google.protobuf.Duration.newBuilder()
                    .setSeconds(ttl.toSeconds())
                    .build());
        }
        if (protect) {
            spec.setIsProtected(true);
        }
        CreateBranchRequest req = new CreateBranchRequest()
                .setParent(settings.project())
                .setBranchId(branchId)
                .setBranch(new Branch().setSpec(spec));
        try {
            return Optional.of(call(
                    "create branch " + branchId + " in",
                    true,
                    () -> postgres.createBranch(req).getName()));
        } catch (AlreadyExists e) {
            return Optional.empty();
        }
    }

    /** Starts deleting a branch; empty when it is gone already. */
    Optional<String> deleteBranch(String name) {
        return notFoundIsEmpty(() -> call(
                "delete branch " + name + " of",
                true,
                () -> postgres.deleteBranch(new DeleteBranchRequest().setName(name))
                        .getName()));
    }

    /** Turns a branch's protection off (only ever for a half-made branch tiergate is removing). */
    String unprotect(String name) {
        UpdateBranchRequest req = new UpdateBranchRequest()
                .setName(name)
                .setBranch(new Branch().setName(name).setSpec(new BranchSpec().setIsProtected(false)))
                .setUpdateMask(
                        FieldMask.newBuilder().addPaths("spec.is_protected").build());
        return call(
                "unprotect branch " + name + " of",
                true,
                () -> postgres.updateBranch(req).getName());
    }

    List<Endpoint> endpoints(String branch) {
        return call("list the endpoints of " + branch + " in", false, () -> {
            List<Endpoint> out = new ArrayList<>();
            postgres.listEndpoints(new ListEndpointsRequest().setParent(branch)).forEach(out::add);
            return out;
        });
    }

    /** Starts creating the branch's read-write compute endpoint {@code primary}; empty when it exists. */
    Optional<String> createReadWriteEndpoint(String branch) {
        CreateEndpointRequest req = new CreateEndpointRequest()
                .setParent(branch)
                .setEndpointId("primary")
                .setEndpoint(new Endpoint()
                        .setSpec(new EndpointSpec().setEndpointType(EndpointType.ENDPOINT_TYPE_READ_WRITE)));
        try {
            return Optional.of(call(
                    "create the read-write endpoint of " + branch + " in",
                    true,
                    () -> postgres.createEndpoint(req).getName()));
        } catch (AlreadyExists e) {
            return Optional.empty();
        }
    }

    List<Database> databases(String branch) {
        return call("list the databases of " + branch + " in", false, () -> {
            List<Database> out = new ArrayList<>();
            postgres.listDatabases(new ListDatabasesRequest().setParent(branch)).forEach(out::add);
            return out;
        });
    }

    DatabaseCredential credential(String endpoint) {
        return call(
                "get a database credential for " + endpoint + " in",
                false,
                () -> postgres.generateDatabaseCredential(
                        new GenerateDatabaseCredentialRequest().setEndpoint(endpoint)));
    }

    Operation operation(String name) {
        return call("read operation " + name + " of", false, () -> postgres.getOperation(name));
    }

    /** The Postgres role of these credentials: the service principal's client id, or the token user's name. */
    String identity() {
        if (identity == null) {
            identity = settings.clientId() != null
                    ? settings.clientId()
                    : call(
                            "find the token's user for",
                            false,
                            () -> new CurrentUserAPI(client).me(new MeRequest()).getUserName());
        }
        return identity;
    }

    private static final class AlreadyExists extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private static final class NotFound extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private static <T> Optional<T> notFoundIsEmpty(Supplier<T> s) {
        try {
            return Optional.of(s.get());
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    private <T> T call(String what, boolean write, Supplier<T> action) {
        String doing = what + " Lakebase project " + settings.projectId();
        for (int attempt = 1; ; attempt++) {
            try {
                return action.get();
            } catch (DatabricksError e) {
                int s = e.getStatusCode();
                String code = e.getErrorCode();
                if (s == 404 || "NOT_FOUND".equals(code) || "RESOURCE_DOES_NOT_EXIST".equals(code)) {
                    if (what.startsWith("list the branches")) {
                        throw new BackendException(
                                "cannot " + doing + ": not found (" + e.getMessage()
                                        + "); check TIERGATE_LAKEBASE_PROJECT and TIERGATE_LAKEBASE_HOST",
                                e);
                    }
                    throw new NotFound();
                }
                if (s == 409 || "ALREADY_EXISTS".equals(code) || "RESOURCE_ALREADY_EXISTS".equals(code)) {
                    throw new AlreadyExists();
                }
                if (s == 403 || "PERMISSION_DENIED".equals(code)) {
                    throw new BackendException(
                            "cannot " + doing + ": " + settings.who() + " lacks the permission (" + e.getMessage()
                                    + "); "
                                    + (write
                                            ? "creating, updating and deleting branches needs CAN MANAGE on the project (CAN USE is not enough)"
                                            : "reading branches and their endpoints needs CAN USE or CAN MANAGE on the project"),
                            e);
                }
                if (s == 401 || "UNAUTHENTICATED".equals(code)) {
                    throw new BackendException(
                            "cannot " + doing + ": the workspace refused the credentials of " + settings.who() + " ("
                                    + e.getMessage()
                                    + "); check TIERGATE_LAKEBASE_CLIENT_ID and _CLIENT_SECRET, or TIERGATE_LAKEBASE_TOKEN",
                            e);
                }
                if (s != 429 && s < 500) {
                    throw new BackendException(
                            "cannot " + doing + ": Lakebase answered " + s + " " + code + ": " + e.getMessage(), e);
                }
                if (attempt >= settings.maxAttempts()) {
                    throw new BackendException(
                            "cannot " + doing + " after " + attempt + " attempts: Lakebase answered " + s + " " + code
                                    + ": " + e.getMessage(),
                            e);
                }
            } catch (DatabricksException e) {
                String m = String.valueOf(e.getMessage());
                if (m.contains("auth") || m.contains("credentials")) {
                    throw new BackendException(
                            "cannot " + doing + ": the workspace refused the credentials of " + settings.who() + " ("
                                    + m
                                    + "); check TIERGATE_LAKEBASE_CLIENT_ID and _CLIENT_SECRET, or TIERGATE_LAKEBASE_TOKEN",
                            e);
                }
                if (attempt >= settings.maxAttempts()) {
                    throw new BackendException("cannot " + doing + ": " + e.getMessage(), e);
                }
            }
            try {
                sleeper.sleep(settings.retryBase().multipliedBy(1L << Math.min(attempt - 1, 6)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while trying to " + doing, e);
            }
        }
    }
}

package dev.tiergate.core.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The JSON Schemas shipped in the {@code state-schemas} jar (classpath {@code tiergate/schemas/}), compiled once
 * per JVM. Each schema sits in its own holder class, so a hook that checks only the kit's state file never
 * compiles the policy schema: start-up time of a hook is most of its cost.
 */
public final class JsonSchemas {
    public static final String KIT_STATE_V1 = "lakebase-workflow-state-v1.schema.json";
    public static final String TIERGATE_STATE = "tiergate-workflow-state.schema.json";
    public static final String POLICY = "policy.schema.json";
    public static final String MIGRATION_HEADER = "migration-header.schema.json";
    /** {@code tiergate drift --json} and the server's drift API: a contract for the programs that read them. */
    public static final String DRIFT_REPORT = "drift-report.schema.json";
    /** The agent commands' {@code --json} outputs (tiergate pr, status, wait, next, merge, and any of them stopping). */
    public static final String CLI_PR = "cli-pr.schema.json";

    public static final String CLI_STATUS = "cli-status.schema.json";
    public static final String CLI_WAIT = "cli-wait.schema.json";
    public static final String CLI_NEXT = "cli-next.schema.json";
    public static final String CLI_MERGE = "cli-merge.schema.json";
    public static final String CLI_ERROR = "cli-error.schema.json";
    /** The CLI's schemas, compiled on first use (no hook reads them). */
    private static final java.util.Map<String, JsonSchema> CLI = new java.util.concurrent.ConcurrentHashMap<>();

    private static final java.util.Set<String> CLI_SCHEMAS =
            java.util.Set.of(CLI_PR, CLI_STATUS, CLI_WAIT, CLI_NEXT, CLI_MERGE, CLI_ERROR);

    private JsonSchemas() {}

    private static final class KitState {
        static final JsonSchema SCHEMA = load(KIT_STATE_V1);
    }

    private static final class TiergateState {
        static final JsonSchema SCHEMA = load(TIERGATE_STATE);
    }

    private static final class Policy {
        static final JsonSchema SCHEMA = load(POLICY);
    }

    private static final class MigrationHeader {
        static final JsonSchema SCHEMA = load(MIGRATION_HEADER);
    }

    private static final class DriftReport {
        static final JsonSchema SCHEMA = load(DRIFT_REPORT);
    }

    /** Problems ordered by where they are in the document, so messages come out in a stable order. */
    public static List<ValidationMessage> validate(String schemaFile, JsonNode document) {
        JsonSchema schema = switch (schemaFile) {
            case KIT_STATE_V1 -> KitState.SCHEMA;
            case TIERGATE_STATE -> TiergateState.SCHEMA;
            case POLICY -> Policy.SCHEMA;
            case MIGRATION_HEADER -> MigrationHeader.SCHEMA;
            case DRIFT_REPORT -> DriftReport.SCHEMA;
            default -> {
                if (!CLI_SCHEMAS.contains(schemaFile)) {
                    throw new IllegalArgumentException("no schema named " + schemaFile);
                }
                yield CLI.computeIfAbsent(schemaFile, JsonSchemas::load);
            }
        };
        Set<ValidationMessage> problems = schema.validate(document);
        return problems.stream()
                .sorted(Comparator.comparing(
                                (ValidationMessage m) -> m.getInstanceLocation().toString())
                        .thenComparing(m -> String.valueOf(m.getProperty()))
                        .thenComparing(ValidationMessage::getType))
                .toList();
    }

    /**
     * A fingerprint of a schema file as shipped (CRC-32 of its bytes, in hex): what a remembered verdict about a
     * document must be checked against, since a newer tiergate may ship a stricter schema.
     */
    public static String fingerprint(String schemaFile) {
        String resource = "tiergate/schemas/" + schemaFile;
        try (InputStream in = JsonSchemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "schema " + resource + " is missing from the classpath (state-schemas jar)");
            }
            CRC32 crc = new CRC32();
            crc.update(in.readAllBytes());
            return Long.toHexString(crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonSchema load(String file) {
        // Formats (date-time, uri) are only annotations in 2020-12 unless assertions are switched on.
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .formatAssertionsEnabled(true)
                .pathType(PathType.JSON_POINTER)
                .build();
        String resource = "tiergate/schemas/" + file;
        try (InputStream in = JsonSchemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "schema " + resource + " is missing from the classpath (state-schemas jar)");
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.tiergate.hooks.cli;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * What {@link McpCmd} plugs into the MCP Java SDK: its stdio transport told when the session closes, and its JSON and
 * JSON Schema through the Jackson 2 and json-schema-validator 1.x that tiergate already has (the SDK's own
 * mcp-json-jackson2 module wants json-schema-validator 2, which would clash with tiergate-core's schemas).
 */
final class McpSdk {
    private McpSdk() {}

    /**
     * The SDK's stdio transport, counting {@link #closed} down when the SDK closes its session: at the end of the
     * input, or after input it cannot read, when it reads no more.
     */
    static final class Stdio extends StdioServerTransportProvider {
        final CountDownLatch closed = new CountDownLatch(1);

        Stdio(McpJsonMapper mapper, InputStream in, OutputStream out) {
            super(mapper, in, out);
        }

        @Override
        public void setSessionFactory(McpServerSession.Factory sessions) {
            super.setSessionFactory(transport -> sessions.create(new McpServerTransport() {
                @Override
                public Mono<Void> closeGracefully() {
                    return transport.closeGracefully().doFinally(s -> closed.countDown());
                }

                @Override
                public void close() {
                    transport.close();
                    closed.countDown();
                }

                @Override
                public Mono<Void> sendMessage(JSONRPCMessage message) {
                    return transport.sendMessage(message);
                }

                @Override
                public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
                    return transport.unmarshalFrom(data, type);
                }

                @Override
                public List<String> protocolVersions() {
                    return transport.protocolVersions();
                }
            }));
        }
    }

    /**
     * The SDK's JSON through the project's Jackson 2, as its mcp-json-jackson2 module does it (that module is not on
     * the class path: its schema validator needs json-schema-validator 2, and tiergate-core's schemas use 1).
     */
    static final class JacksonMapper implements McpJsonMapper {
        private final ObjectMapper json;

        JacksonMapper(ObjectMapper json) {
            this.json = json;
        }

        private JavaType type(TypeRef<?> t) {
            return json.getTypeFactory().constructType(t.getType());
        }

        @Override
        public <T> T readValue(String content, Class<T> type) throws IOException {
            return json.readValue(content, type);
        }

        @Override
        public <T> T readValue(byte[] content, Class<T> type) throws IOException {
            return json.readValue(content, type);
        }

        @Override
        public <T> T readValue(String content, TypeRef<T> type) throws IOException {
            return json.readValue(content, type(type));
        }

        @Override
        public <T> T readValue(byte[] content, TypeRef<T> type) throws IOException {
            return json.readValue(content, type(type));
        }

        @Override
        public <T> T convertValue(Object from, Class<T> type) {
            return json.convertValue(from, type);
        }

        @Override
        public <T> T convertValue(Object from, TypeRef<T> type) {
            return json.convertValue(from, type(type));
        }

        @Override
        public String writeValueAsString(Object value) throws IOException {
            return json.writeValueAsString(value);
        }

        @Override
        public byte[] writeValueAsBytes(Object value) throws IOException {
            return json.writeValueAsBytes(value);
        }
    }

    /** Tool arguments and results checked against their JSON Schemas (2020-12) with tiergate-core's validator. */
    static final class SchemaValidator implements JsonSchemaValidator {
        private final ObjectMapper json;
        private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        private final Map<Map<String, Object>, JsonSchema> compiled =
                Collections.synchronizedMap(new IdentityHashMap<>());

        SchemaValidator(ObjectMapper json) {
            this.json = json;
        }

        @Override
        public ValidationResponse validate(Map<String, Object> schema, Object content) {
            try {
                JsonSchema s = compiled.computeIfAbsent(schema, k -> factory.getSchema(json.valueToTree(k)));
                JsonNode document = json.valueToTree(content);
                Set<ValidationMessage> problems = s.validate(document);
                if (problems.isEmpty()) {
                    return ValidationResponse.asValid(json.writeValueAsString(document));
                }
                return ValidationResponse.asInvalid(problems.stream()
                        .map(ValidationMessage::getMessage)
                        .sorted()
                        .collect(Collectors.joining("; ")));
            } catch (IOException | RuntimeException e) {
                return ValidationResponse.asInvalid("cannot validate: " + e.getMessage());
            }
        }
    }
}

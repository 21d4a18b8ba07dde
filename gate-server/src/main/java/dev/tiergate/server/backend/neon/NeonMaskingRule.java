package dev.tiergate.server.backend.neon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One of Neon's masking rules as the API carries it (PATCH …/branches/{branch_id}/masking_rules,
 * https://neon.com/docs/reference/api/branches/update-masking-rules): {@code database_name}, {@code schema_name},
 * {@code table_name}, {@code column_name}, and either {@code masking_function} (a PostgreSQL Anonymizer expression) or
 * {@code masking_value} (an SQL literal such as {@code 'REDACTED'} or {@code NULL}); the two are mutually exclusive
 * (https://neon.com/docs/workflows/data-anonymization-api, "Create anonymized branch"). Null: absent.
 */
public record NeonMaskingRule(
        String databaseName,
        String schemaName,
        String tableName,
        String columnName,
        String maskingFunction,
        String maskingValue) {

    ObjectNode json(ObjectMapper mapper) {
        ObjectNode o = mapper.createObjectNode();
        o.put("database_name", databaseName);
        o.put("schema_name", schemaName);
        o.put("table_name", tableName);
        o.put("column_name", columnName);
        if (maskingFunction != null) {
            o.put("masking_function", maskingFunction);
        }
        if (maskingValue != null) {
            o.put("masking_value", maskingValue);
        }
        return o;
    }

    static NeonMaskingRule of(JsonNode r) {
        return new NeonMaskingRule(
                NeonBranch.text(r.path("database_name")),
                NeonBranch.text(r.path("schema_name")),
                NeonBranch.text(r.path("table_name")),
                NeonBranch.text(r.path("column_name")),
                NeonBranch.text(r.path("masking_function")),
                NeonBranch.text(r.path("masking_value")));
    }

    /** {@code database.schema.table.column}: the column the rule masks. */
    String column() {
        return databaseName + "." + schemaName + "." + tableName + "." + columnName;
    }
}

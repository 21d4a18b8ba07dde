package dev.tiergate.core.access;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a branch's database holds that privileges are about: its schemas (the repository's own, PostgreSQL's left
 * out), its tables (views and materialized views included) and sequences by schema, and the privileges in place on
 * them and on the database, with grantees named as {@link Privilege} says.
 */
public record AccessSnapshot(
        Set<String> schemas,
        Map<String, List<String>> tables,
        Map<String, List<String>> sequences,
        Set<Privilege> privileges) {
    public AccessSnapshot {
        schemas = Set.copyOf(schemas);
        tables = Map.copyOf(tables);
        sequences = Map.copyOf(sequences);
        privileges = Set.copyOf(privileges);
    }
}

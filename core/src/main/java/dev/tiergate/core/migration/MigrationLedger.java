package dev.tiergate.core.migration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The recorded checksums of committed migrations ({@code .tiergate/migrations.sum}) as a value: ask it for a
 * file's recorded checksum, record a new migration, render it back. Immutable.
 */
public record MigrationLedger(Map<String, String> checksums) {
    public MigrationLedger {
        checksums = Map.copyOf(checksums);
    }

    public static MigrationLedger empty() {
        return new MigrationLedger(Map.of());
    }

    /** @throws IllegalArgumentException naming the line of a malformed entry */
    public static MigrationLedger parse(String sumFileText) {
        return new MigrationLedger(sumFileText == null ? Map.of() : MigrationChecksums.parse(sumFileText));
    }

    public Optional<String> recordedChecksum(String path) {
        return Optional.ofNullable(checksums.get(path));
    }

    public boolean records(String path) {
        return checksums.containsKey(path);
    }

    /** Records a migration's content; recording the same content again changes nothing. */
    public MigrationLedger record(String path, byte[] content) {
        Map<String, String> next = new LinkedHashMap<>(checksums);
        next.put(path, MigrationChecksums.checksum(content));
        return new MigrationLedger(next);
    }

    public String render() {
        return MigrationChecksums.render(checksums);
    }
}

package dev.tiergate.server.migrate;

import java.nio.charset.StandardCharsets;

/** One migration file as it is at some commit: its path in the repository and its bytes. */
public record MigrationFile(String path, byte[] content) {
    public String fileName() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    public String text() {
        return new String(content, StandardCharsets.UTF_8);
    }
}

package dev.tiergate.server.audit;

import dev.tiergate.server.repo.RepoRef;
import java.util.Map;

/** Where decisions leave their record: the hash-chained {@link AuditLog} in the server, a list in unit tests. */
@FunctionalInterface
public interface AuditTrail {
    void append(AuditKind kind, RepoRef repo, String subject, Map<String, ?> details);
}

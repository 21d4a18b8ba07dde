package dev.tiergate.server.gate;

import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.repo.RepoRef;
import java.util.Map;

/**
 * The audit trail, counting the records each thread appends. Every change the gate makes (a status posted, a state
 * moved, a database branch created or deleted, a rehearsal) is audited, and looking at what is already so appends
 * nothing; so a reconcile visit that appended a record is one that repaired something.
 */
final class AuditedChanges implements AuditTrail {
    private final AuditTrail audit;
    private final ThreadLocal<long[]> appended = ThreadLocal.withInitial(() -> new long[1]);

    AuditedChanges(AuditTrail audit) {
        this.audit = audit;
    }

    @Override
    public void append(AuditKind kind, RepoRef repo, String subject, Map<String, ?> details) {
        audit.append(kind, repo, subject, details);
        appended.get()[0]++;
    }

    /** How many records this thread has appended so far (compare two readings around a piece of work). */
    long byThisThread() {
        return appended.get()[0];
    }
}

package dev.tiergate.server.gate;

import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.forge.CommitStatus;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.repo.RepoRef;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Writes only the difference (as Prow Tide's status controller does): a status is posted when its state,
 * description or link differs from what the forge shows for that SHA and context, and only then is a
 * {@code status} audit record appended. A status tiergate already posted is never posted again, so the forge's
 * echo of it (GitHub's {@code status} webhook, GitLab's Pipeline Hook) finds nothing to do.
 */
public final class StatusPublisher {
    private final Forge forge;
    private final AuditTrail audit;

    public StatusPublisher(Forge forge, AuditTrail audit) {
        this.forge = forge;
        this.audit = audit;
    }

    /**
     * Posts {@code wanted} on {@code sha} unless {@code shown} (what the forge shows now, read with the checks)
     * is the same. Returns whether it posted.
     */
    public boolean publish(
            RepoRef repo,
            String sha,
            CommitStatus wanted,
            Optional<CommitStatus> shown,
            String subject,
            Map<String, ?> why) {
        if (shown.isPresent() && forge.alreadyShows(wanted, shown.get())) {
            return false;
        }
        forge.postStatus(repo, sha, wanted);
        Map<String, Object> details = new LinkedHashMap<>(why);
        details.put("sha", sha);
        details.put("context", wanted.context());
        details.put("state", wanted.state().name());
        details.put("was", shown.map(s -> s.state().name()).orElse("none"));
        audit.append(AuditKind.STATUS, repo, subject, details);
        return true;
    }
}

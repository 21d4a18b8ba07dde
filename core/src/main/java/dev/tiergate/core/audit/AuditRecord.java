package dev.tiergate.core.audit;

import java.time.Instant;

/**
 * One append-only audit entry. {@code details} is canonical JSON (keys sorted) so the hash is reproducible;
 * {@code hash} = SHA-256 over the previous hash and every other field.
 */
public record AuditRecord(
        long seq, Instant at, String kind, String repo, String subject, String details, String prevHash, String hash) {}

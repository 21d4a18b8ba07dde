package dev.tiergate.core.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** The hash chain over audit records: how to seal a new record and how to find the first broken one. */
public final class AuditChain {
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {}

    public static String hash(
            String prevHash, long seq, Instant at, String kind, String repo, String subject, String details) {
        // unit separator between fields so no two different records concatenate to the same text
        String text = String.join(
                "\u001f",
                prevHash,
                Long.toString(seq),
                at.toString(),
                kind,
                nullToEmpty(repo),
                nullToEmpty(subject),
                nullToEmpty(details));
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static AuditRecord seal(
            AuditRecord previous, long seq, Instant at, String kind, String repo, String subject, String details) {
        String prev = previous == null ? GENESIS : previous.hash();
        return new AuditRecord(
                seq, at, kind, repo, subject, details, prev, hash(prev, seq, at, kind, repo, subject, details));
    }

    /** The first problem in records ordered by seq (seq starts at 1), or empty when the chain is intact. */
    public static Optional<String> firstBreak(List<AuditRecord> records) {
        String prevHash = GENESIS;
        long expectedSeq = 1;
        for (AuditRecord r : records) {
            if (r.seq() != expectedSeq) {
                String missing = r.seq() - 1 > expectedSeq
                        ? "records " + expectedSeq + " to " + (r.seq() - 1) + " are"
                        : "record " + expectedSeq + " is";
                return Optional.of(missing + " missing: deleted before record " + r.seq());
            }
            if (!r.prevHash().equals(prevHash)) {
                return Optional.of("record " + r.seq() + " does not follow record " + (r.seq() - 1)
                        + ": its prev_hash differs (a record before it was deleted or replaced)");
            }
            String recomputed = hash(r.prevHash(), r.seq(), r.at(), r.kind(), r.repo(), r.subject(), r.details());
            if (!recomputed.equals(r.hash())) {
                return Optional.of("record " + r.seq() + " (" + r.kind() + " " + nullToEmpty(r.subject())
                        + ") was edited: stored hash " + r.hash().substring(0, 12) + "…, content hashes to "
                        + recomputed.substring(0, 12) + "…");
            }
            prevHash = r.hash();
            expectedSeq++;
        }
        return Optional.empty();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}

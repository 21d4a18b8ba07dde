package dev.tiergate.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.audit.AuditRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The audit chain's head kept outside the table it protects: {@code TIERGATE_HOME/audit-anchor.json} holds the last
 * record's seq and hash, signed (HMAC-SHA256) with a key generated once into {@code TIERGATE_HOME/audit-anchor.key}
 * (0600). Deleting the newest records from the table then no longer goes unnoticed: the table ends before the
 * anchor. The file is replaced atomically (temp file + rename) and not fsynced, so a power cut may leave it one
 * update behind, never torn; it lags the table by at most the anchoring interval of the server.
 */
public final class AuditAnchor {
    public static final String FILE = "audit-anchor.json";
    public static final String KEY_FILE = "audit-anchor.key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final byte[] key;

    /** The head as the anchor records it. */
    public record Head(long seq, String hash, Instant at) {}

    private AuditAnchor(Path file, byte[] key) {
        this.file = file;
        this.key = key;
    }

    /** The anchor under {@code home}, creating its key on first use. */
    public static AuditAnchor in(Path home) {
        try {
            Files.createDirectories(home);
            Path keyFile = home.resolve(KEY_FILE);
            if (!Files.exists(keyFile)) {
                byte[] k = new byte[32];
                new SecureRandom().nextBytes(k);
                writeAtomically(keyFile, HexFormat.of().formatHex(k) + "\n");
            }
            byte[] key = HexFormat.of()
                    .parseHex(Files.readString(keyFile, StandardCharsets.UTF_8).strip());
            return new AuditAnchor(home.resolve(FILE), key);
        } catch (IOException e) {
            throw new IllegalStateException("cannot set up the audit anchor under " + home + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    public void write(long seq, String hash) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("seq", seq);
        o.put("hash", hash);
        o.put("at", Instant.now().toString());
        o.put("mac", mac(seq, hash));
        try {
            writeAtomically(file, JSON.writeValueAsString(o) + "\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the audit anchor " + file + ": " + e.getMessage(), e);
        }
    }

    /** The anchored head; empty when none was written yet. Throws when the file is not signed with this key. */
    public Optional<Head> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode o = JSON.readTree(file.toFile());
            long seq = o.path("seq").asLong();
            String hash = o.path("hash").asText();
            byte[] given = o.path("mac").asText().getBytes(StandardCharsets.US_ASCII);
            if (!MessageDigest.isEqual(mac(seq, hash).getBytes(StandardCharsets.US_ASCII), given)) {
                throw new IllegalStateException("the audit anchor " + file + " is not signed with this server's key ("
                        + KEY_FILE + "): it was edited or comes from another server");
            }
            return Optional.of(new Head(seq, hash, Instant.parse(o.path("at").asText())));
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalStateException ise) {
                throw ise;
            }
            throw new IllegalStateException("cannot read the audit anchor " + file + ": " + e.getMessage(), e);
        }
    }

    /** What the table lacks compared with the anchor, or empty when it holds the anchored head. */
    public static Optional<String> missingFrom(List<AuditRecord> table, Head anchored) {
        long last = table.isEmpty() ? 0 : table.get(table.size() - 1).seq();
        if (last < anchored.seq()) {
            String missing = last + 1 == anchored.seq()
                    ? "record " + anchored.seq() + " is"
                    : "records " + (last + 1) + "–" + anchored.seq() + " are";
            return Optional.of(missing + " missing: the anchor says " + anchored.seq() + ", the table ends at " + last);
        }
        AuditRecord atAnchor = table.stream()
                .filter(r -> r.seq() == anchored.seq())
                .findFirst()
                .orElse(null);
        if (atAnchor == null) {
            return Optional.of("record " + anchored.seq() + ", which the anchor names, is missing");
        }
        if (!atAnchor.hash().equals(anchored.hash())) {
            return Optional.of("record " + anchored.seq() + " is not the one anchored: its hash is "
                    + atAnchor.hash().substring(0, 12) + "…, the anchor says "
                    + anchored.hash().substring(0, 12) + "… (the chain was rewritten from there or before)");
        }
        return Optional.empty();
    }

    private String mac(long seq, String hash) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(m.doFinal((seq + "\u001f" + hash).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeAtomically(Path f, String text) throws IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

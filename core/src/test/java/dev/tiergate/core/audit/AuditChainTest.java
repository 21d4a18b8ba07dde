package dev.tiergate.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    private static List<AuditRecord> chain(int n) {
        List<AuditRecord> out = new ArrayList<>();
        AuditRecord prev = null;
        for (int i = 1; i <= n; i++) {
            prev = AuditChain.seal(
                    prev,
                    i,
                    Instant.parse("2026-06-16T09:30:00Z").plusSeconds(i),
                    "transition",
                    "github:acme/inventory",
                    "feature/f" + i,
                    "{\"to\":\"pr-ready\"}");
            out.add(prev);
        }
        return out;
    }

    @Test
    void intactChainVerifies() {
        assertTrue(AuditChain.firstBreak(chain(5)).isEmpty());
    }

    @Test
    void editedRecordIsNamed() {
        List<AuditRecord> records = chain(5);
        AuditRecord r = records.get(2);
        records.set(
                2,
                new AuditRecord(
                        r.seq(),
                        r.at(),
                        r.kind(),
                        r.repo(),
                        r.subject(),
                        "{\"to\":\"merged\"}",
                        r.prevHash(),
                        r.hash()));
        String problem = AuditChain.firstBreak(records).orElseThrow();
        assertTrue(problem.startsWith("record 3 (transition feature/f3) was edited"), problem);
    }

    @Test
    void deletedRecordIsNamed() {
        List<AuditRecord> records = chain(5);
        records.remove(1);
        assertEquals(
                "record 2 is missing: deleted before record 3",
                AuditChain.firstBreak(records).orElseThrow());
    }

    @Test
    void deletedLastRecordsAndResealedTailIsCaughtByPrevHash() {
        List<AuditRecord> records = chain(4);
        AuditRecord forged = AuditChain.seal(null, 4, Instant.now(), "transition", "r", "s", "{}");
        records.set(3, forged);
        String problem = AuditChain.firstBreak(records).orElseThrow();
        assertTrue(problem.startsWith("record 4 does not follow record 3"), problem);
    }
}

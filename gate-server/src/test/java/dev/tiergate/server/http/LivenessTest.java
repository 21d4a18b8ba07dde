package dev.tiergate.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code /healthz} from memory: 503 with the reason when the store or the workers cannot be counted on. No database. */
class LivenessTest {
    @Test
    void healthyStoreAndWorkersAnswer200() {
        try (Liveness l = new Liveness(() -> 3, Optional::empty, Map::of, Clock.systemUTC())) {
            var answer = l.answer();
            assertEquals(200, answer.getKey());
            assertEquals("ok", answer.getValue().get("status"));
            assertEquals(3, answer.getValue().get("pending_deliveries"));
        }
    }

    @Test
    void noWorkerAliveOrOneStuckPastItsDeadlineAnswers503WithTheReason() {
        AtomicReference<Optional<String>> workers = new AtomicReference<>(Optional.of("no worker thread is alive"));
        try (Liveness l = new Liveness(() -> 0, workers::get, Map::of, Clock.systemUTC())) {
            assertEquals(Map.entry(503, "no worker thread is alive"), statusOf(l));
            workers.set(
                    Optional.of(
                            "delivery github d-1 (push) has been processing for 14431 s on tiergate-worker-0, past the 14430 s deadline"));
            assertEquals(Map.entry(503, workers.get().orElseThrow()), statusOf(l));
            workers.set(Optional.empty());
            assertEquals(Map.entry(200, "ok"), statusOf(l), "healthy again once it is done");
        }
    }

    @Test
    void anUnreachableStoreIsSaidFirst() {
        try (Liveness l = new Liveness(
                () -> {
                    throw new IllegalStateException("connection refused");
                },
                () -> Optional.of("no worker thread is alive"),
                Map::of,
                Clock.systemUTC())) {
            assertEquals(Map.entry(503, "store unreachable"), statusOf(l));
        }
    }

    private static Map.Entry<Integer, Object> statusOf(Liveness l) {
        var answer = l.answer();
        return Map.entry(answer.getKey(), answer.getValue().get("status"));
    }
}

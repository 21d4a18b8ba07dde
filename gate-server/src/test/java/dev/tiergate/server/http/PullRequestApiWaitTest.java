package dev.tiergate.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a caller may ask a long-poll to wait: at most the server's cap, and nothing for what is not a number. No database. */
class PullRequestApiWaitTest {
    @Test
    void aWaitIsCutToTheCapAndNonsenseWaitsNothing() {
        assertEquals(Duration.ofSeconds(3), PullRequestApi.waitOf("3"));
        assertEquals(PullRequestApi.MAX_WAIT, PullRequestApi.waitOf("9999"));
        for (String hostile : new String[] {null, "", "-5", "1e9", "99999999999", "8; drop"}) {
            assertEquals(Duration.ZERO, PullRequestApi.waitOf(hostile), String.valueOf(hostile));
        }
        assertEquals(PullRequestApi.ABSENT, PullRequestApi.versionOf(Optional.empty()));
    }
}

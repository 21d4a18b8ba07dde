package dev.tiergate.server.security;

import static dev.tiergate.server.security.Scene.file;
import static dev.tiergate.server.security.Scene.migration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.server.security.Scene.Pr;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A policy pushed past the hooks (committed with --no-verify, edited on the forge) whose {@code database_access} holds
 * what no database role can take: the server refuses it as an invalid policy, in the words of
 * {@code tiergate policy validate}, and hands nothing of it to the branch backend (no run is asked for, no role made).
 */
class PolicyAccessValuesTest {
    Scene s;

    @AfterEach
    void end() {
        if (s != null) {
            s.close();
        }
    }

    @Test
    void aGroupNoRoleMayBeNamedIsRefusedAsAnInvalidPolicyOnTheServer() throws Exception {
        s = Scene.start();
        String base = s.commit(file(".tiergate/policy.yaml", Scene.POLICY + """
                database_access:
                  groups:
                    - {name: read-only, privileges: [select], schemas: [public]}
                  tiers:
                    - {tier: staging, grants: [{group: read-only, classes: [human]}]}
                """));
        Pr pr = s.sendPullRequest(
                1, "feature/p1", base, file("V20260102000000__x.sql", migration("create table t1 (id int);")));
        assertTrue(
                Scene.await(Duration.ofSeconds(30), () -> s.lastStatus(pr.headSha(), "tiergate/workflow") != null),
                "the PR on a policy with a group named read-only got no tiergate/workflow status");
        JsonNode status = s.lastStatus(pr.headSha(), "tiergate/workflow");
        assertEquals(
                "failure", status.path("state").asText(), "a policy no backend can take was not refused: " + status);
        assertTrue(
                status.path("description").asText().contains("[" + Rule.POLICY_INVALID.id() + "]"), status.toString());
        assertTrue(
                s.h.server.audit().all().stream()
                        .anyMatch(r -> r.kind().equals("refusal")
                                && r.details().contains("database_access.groups[0].name is 'read-only'")
                                && r.details().contains(Rule.POLICY_ACCESS_VALUES.id())),
                "the refusal does not say which value and which rule: "
                        + s.h.server.audit().all());
    }
}

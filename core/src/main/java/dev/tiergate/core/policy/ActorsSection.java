package dev.tiergate.core.policy;

import static dev.tiergate.core.policy.PolicyValidator.UNIQUE_ACTOR;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** The policy's {@code actors}: each forge login is listed once, whatever its case. */
final class ActorsSection {
    private ActorsSection() {}

    static void check(PolicyProblems problems) {
        Policy p = problems.policy();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < p.actors().size(); i++) {
            Actor a = p.actors().get(i);
            if (!ids.add(a.id().toLowerCase(Locale.ROOT))) {
                problems.refuse(
                        UNIQUE_ACTOR,
                        "/actors/" + i + "/id",
                        "actor '" + a.id() + "' is listed twice",
                        "keep one entry per actor (merge their roles and e-mails)");
            }
        }
    }
}

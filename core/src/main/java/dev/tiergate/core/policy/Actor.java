package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Set;

/**
 * An identity the policy knows: a forge login (GitHub/GitLab user name) plus, for the client hooks,
 * the git e-mail addresses it commits with.
 */
public record Actor(
        @JsonProperty("id") String id,
        @JsonProperty("class") ActorClass actorClass,
        @JsonProperty("roles") Set<String> roles,
        @JsonProperty("emails") List<String> emails) {

    public Actor {
        roles = roles == null ? Set.of() : Set.copyOf(roles);
        emails = emails == null ? List.of() : List.copyOf(emails);
    }

    public static Actor unlisted(String id, ActorClass actorClass) {
        return new Actor(id, actorClass, Set.of(), List.of());
    }

    public boolean hasAnyRole(Set<String> wanted) {
        return wanted.stream().anyMatch(roles::contains);
    }
}

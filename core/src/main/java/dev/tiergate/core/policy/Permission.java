package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Set;

/**
 * Who may do something: the actor's class must be listed (an empty list admits every class) and, when
 * roles are listed, the actor must hold one of them.
 */
public record Permission(
        @JsonProperty("classes") Set<ActorClass> classes,
        @JsonProperty("roles") Set<String> roles) {

    public static final Permission NOBODY = new Permission(Set.of(), Set.of("\u0000nobody"));
    public static final Permission EVERYONE = new Permission(Set.of(), Set.of());

    public Permission {
        classes = classes == null ? Set.of() : Set.copyOf(classes);
        roles = roles == null ? Set.of() : Set.copyOf(roles);
    }

    public boolean allows(Actor actor) {
        boolean classOk = classes.isEmpty() || classes.contains(actor.actorClass());
        boolean roleOk = roles.isEmpty() || actor.hasAnyRole(roles);
        return classOk && roleOk;
    }

    /** Plain words for messages, e.g. "human or agent with role release-manager". */
    public String describe() {
        if (this.equals(NOBODY)) {
            return "nobody";
        }
        String who = classes.isEmpty()
                ? "anyone"
                : String.join(
                        " or ",
                        classes.stream().map(ActorClass::wireName).sorted().toList());
        return roles.isEmpty()
                ? who
                : who + " with role "
                        + String.join(" or ", roles.stream().sorted().toList());
    }
}

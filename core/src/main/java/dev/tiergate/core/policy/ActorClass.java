package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Who is acting: a person, an AI agent, or an automation account. */
public enum ActorClass {
    HUMAN,
    AGENT,
    BOT;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ActorClass fromWireName(String value) {
        for (ActorClass c : values()) {
            if (c.wireName().equals(value)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown actor class '" + value + "' (expected human, agent or bot)");
    }
}

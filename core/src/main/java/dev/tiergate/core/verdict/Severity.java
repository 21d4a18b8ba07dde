package dev.tiergate.core.verdict;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How much a broken rule counts, as the policy's {@code severity} map sets it per rule id: {@code error} refuses (the
 * default for every rule), {@code warning} is shown and counted but lets the change through, {@code off} says
 * nothing.
 */
public enum Severity {
    ERROR,
    WARNING,
    OFF;

    private final String wireName = name().toLowerCase(Locale.ROOT); // once: every lint finding asks for it

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** YAML 1.1 reads an unquoted {@code off} as the boolean false; it means {@code off} here too. */
    @JsonCreator
    public static Severity fromWireName(String value) {
        if ("false".equals(value)) {
            return OFF;
        }
        for (Severity s : values()) {
            if (s.wireName().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown severity '" + value + "'; use error, warning or off");
    }
}

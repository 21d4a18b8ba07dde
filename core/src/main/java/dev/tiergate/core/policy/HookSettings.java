package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How the client hooks behave when they cannot do their work. {@code fail_closed: true} makes a hook that cannot find
 * the tiergate command refuse the commit or push; by default it lets it through with a warning on every run.
 */
public record HookSettings(@JsonProperty("fail_closed") boolean failClosed) {
    public static final HookSettings DEFAULTS = new HookSettings(false);
}

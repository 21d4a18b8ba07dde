package dev.tiergate.server.gate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.forge.ForgeEvent;
import java.util.List;

/** One forge's payload → forge-neutral events. */
@FunctionalInterface
public interface EventParser {
    List<ForgeEvent> parse(String eventType, JsonNode body);
}

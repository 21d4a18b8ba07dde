package dev.tiergate.server.gate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.forge.ForgeEvent;
import java.util.List;
import java.util.Map;

/** One forge's payload (with its lower-cased headers) → forge-neutral events. */
@FunctionalInterface
public interface EventParser {
    List<ForgeEvent> parse(String eventType, Map<String, String> headers, JsonNode body);
}

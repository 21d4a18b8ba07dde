package dev.tiergate.server.wiring;

import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.forge.WebhookReceiver;
import dev.tiergate.server.gate.EventParser;

/** One forge the server serves: how to receive its webhooks, how to read it, how to parse its events. */
public record ForgeBinding(WebhookReceiver receiver, Forge forge, EventParser parser) {}

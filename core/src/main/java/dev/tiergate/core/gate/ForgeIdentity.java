package dev.tiergate.core.gate;

/** An account as the forge reports it: login (user name) and whether the forge marks it as a bot/app. */
public record ForgeIdentity(String login, boolean bot) {}

package dev.tiergate.testkit;

/**
 * A pull request as a webhook payload and the stand-in's model carry it: number, head and base branches with their
 * SHAs, the author's login (and whether GitHub marks it a bot), {@code open} or {@code closed}, and whether merged.
 */
public record Pull(
        long number,
        String head,
        String headSha,
        String base,
        String baseSha,
        String login,
        boolean bot,
        String state,
        boolean merged) {}

package dev.tiergate.hooks.cli;

import static dev.tiergate.hooks.TerminalText.plain;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tiergate drift}: each tier's drift from its migrations, checked now by the running server (which reads the
 * tiers and the repository) with the admin token: a change made by hand with the DDL that reproduces it, a history
 * the repository no longer matches, a version on the parent tier this one lacks, grants against the policy. Exit 0
 * when no tier drifted, 2 when one did, 3 when the server could not answer. {@code tiergate drift accept} keeps a tier's
 * live schema as its baseline, audited with the reason.
 */
@Command(
        name = "drift",
        description = "Check the tiers for drift from their migrations (exit 2 when one drifted), or accept a drift.",
        subcommands = {DriftCmd.Accept.class})
final class DriftCmd extends GrantsCmd.Target {
    @Option(names = "--tier", description = "one tier (default: every tier, as --all)")
    String tier;

    @Option(names = "--all", description = "every tier of the policy (the default)")
    boolean all;

    @Option(names = "--json", description = "the server's answer as JSON (state-schemas/drift-report.schema.json)")
    boolean json;

    @Override
    String who() {
        return "tiergate drift";
    }

    @Override
    public Integer call() {
        if (!repoKnown()) {
            return GrantsCmd.FAILED;
        }
        JsonNode r = call(
                "GET",
                reposPath() + "/drift?forge=" + forge
                        + (tier == null || all ? "" : "&tier=" + URLEncoder.encode(tier, StandardCharsets.UTF_8)));
        if (r == null) {
            return GrantsCmd.FAILED;
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean drifted = false;
        if (json) {
            out.println(r.toString());
        }
        for (JsonNode t : r.path("tiers")) {
            int n = t.path("findings").size();
            drifted |= n > 0;
            if (json) {
                continue;
            }
            out.println(plain(t.path("tier").asText()) + ": "
                    + (n == 0
                            ? "as its migrations say"
                            : n + " drift(s); on drift: "
                                    + plain(t.path("on_drift").asText())));
            for (JsonNode f : t.path("findings")) {
                String detail = plain(f.path("detail").asText());
                out.println("  " + plain(f.path("kind").asText()) + "  "
                        + plain(f.path("what").asText()) + (detail.isEmpty() ? "" : ": " + detail));
                out.println("      fix: " + plain(f.path("fix").asText()));
            }
        }
        return drifted ? GrantsCmd.DIFFERS : GrantsCmd.OK;
    }

    @Command(
            name = "accept",
            description = "Keep a tier's live schema as its baseline: its current drift no longer holds it (audited).")
    static final class Accept extends GrantsCmd.Target {
        @Option(names = "--tier", required = true, description = "the tier's name in the policy, e.g. staging")
        String tier;

        @Option(names = "--reason", required = true, description = "why the drift stays (kept in the audit trail)")
        String reason;

        @Override
        String who() {
            return "tiergate drift accept";
        }

        @Override
        public Integer call() {
            if (!repoKnown()) {
                return GrantsCmd.FAILED;
            }
            if (reason.isBlank()) {
                spec.commandLine().getErr().println(who() + ": --reason is empty; say why the drift stays");
                return GrantsCmd.FAILED;
            }
            JsonNode r = call(
                    "POST",
                    reposPath() + "/drift/accept?forge=" + forge + "&tier="
                            + URLEncoder.encode(tier, StandardCharsets.UTF_8) + "&reason="
                            + URLEncoder.encode(reason, StandardCharsets.UTF_8));
            if (r == null) {
                return GrantsCmd.FAILED;
            }
            spec.commandLine()
                    .getOut()
                    .println("tier " + tier + " of " + repository() + ": "
                            + r.path("findings").size() + " drift(s) accepted as its baseline");
            return GrantsCmd.OK;
        }
    }
}

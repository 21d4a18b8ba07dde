package dev.tiergate.core.verdict;

import dev.tiergate.core.rules.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of a gate: allowed, or refused with every broken rule. Rules the policy lowers to {@code warning} are
 * kept apart in {@code warnings}: shown and counted, never refusing.
 */
public record Verdict(List<Refusal> refusals, List<Refusal> warnings) {

    private static final Verdict ALLOWED = new Verdict(List.of(), List.of());

    public Verdict {
        refusals = List.copyOf(refusals);
        warnings = List.copyOf(warnings);
    }

    public Verdict(List<Refusal> refusals) {
        this(refusals, List.of());
    }

    public static Verdict allowed() {
        return ALLOWED;
    }

    public static Verdict refused(String rule, String where, String message, String fix) {
        return new Verdict(List.of(new Refusal(rule, where, message, fix)));
    }

    public boolean isAllowed() {
        return refusals.isEmpty();
    }

    public Verdict and(Verdict other) {
        if (other.refusals.isEmpty() && other.warnings.isEmpty()) {
            return this;
        }
        if (refusals.isEmpty() && warnings.isEmpty()) {
            return other;
        }
        List<Refusal> all = new ArrayList<>(refusals);
        all.addAll(other.refusals);
        List<Refusal> allWarnings = new ArrayList<>(warnings);
        allWarnings.addAll(other.warnings);
        return new Verdict(all, allWarnings);
    }

    /**
     * This verdict as the policy weighs it: each refusal whose rule id the map sets to {@code warning} becomes a
     * warning, to {@code off} disappears; rules not in the map have their catalog default (an error for every rule
     * but some of the SQL lint's).
     */
    public Verdict withSeverities(Map<String, Severity> severityByRule) {
        List<Refusal> errors = new ArrayList<>();
        List<Refusal> lowered = new ArrayList<>(warnings);
        for (Refusal r : refusals) {
            Severity byDefault = Rule.byId(r.rule()).map(Rule::defaultSeverity).orElse(Severity.ERROR);
            switch (severityByRule.getOrDefault(r.rule(), byDefault)) {
                case ERROR -> errors.add(r);
                case WARNING -> lowered.add(r);
                case OFF -> {}
            }
        }
        return new Verdict(errors, lowered);
    }

    public String render() {
        return refusals.stream().map(Refusal::render).collect(Collectors.joining("\n"));
    }

    public String renderWarnings() {
        return warnings.stream().map(Refusal::render).collect(Collectors.joining("\n"));
    }
}

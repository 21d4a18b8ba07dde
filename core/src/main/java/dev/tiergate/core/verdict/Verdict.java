package dev.tiergate.core.verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The outcome of a gate: allowed, or refused with every broken rule. */
public record Verdict(List<Refusal> refusals) {

    private static final Verdict ALLOWED = new Verdict(List.of());

    public Verdict {
        refusals = List.copyOf(refusals);
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
        if (other.isAllowed()) {
            return this;
        }
        if (isAllowed()) {
            return other;
        }
        List<Refusal> all = new ArrayList<>(refusals);
        all.addAll(other.refusals);
        return new Verdict(all);
    }

    public String render() {
        return refusals.stream().map(Refusal::render).collect(Collectors.joining("\n"));
    }
}

package dev.tiergate.core.policy;

import dev.tiergate.core.state.JsonLocations;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.verdict.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * What the semantic checks of one policy share: the policy they judge, the refusals collected so far (every one,
 * rather than stopping at the first), how a refusal is worded (the rule, the file with the line of the field when it is
 * known, the message and the fix), and the names a fix offers.
 */
final class PolicyProblems {
    private final Policy p;
    private final String path;
    private final JsonLocations locations;
    private final List<Refusal> refusals = new ArrayList<>();

    PolicyProblems(Policy p, String path, JsonLocations locations) {
        this.p = p;
        this.path = path;
        this.locations = locations;
    }

    Policy policy() {
        return p;
    }

    boolean none() {
        return refusals.isEmpty();
    }

    Verdict verdict() {
        return new Verdict(refusals);
    }

    String tierNames() {
        return "[" + String.join(", ", p.tiers().stream().map(Tier::name).toList()) + "]";
    }

    String typeNames() {
        return "["
                + String.join(
                        ", ",
                        p.workingBranchTypes().stream()
                                .map(WorkingBranchType::name)
                                .toList()) + "]";
    }

    void refuse(String rule, String pointer, AccessValues.Wrong wrong) {
        refuse(rule, pointer, wrong.message(), wrong.fix());
    }

    void refuse(String rule, String pointer, String message, String fix) {
        refusals.add(new Refusal(rule, where(path, locations, pointer), message, fix));
    }

    /** Where a refusal points: the file, with the line of the field at {@code pointer} when it is known. */
    static String where(String path, JsonLocations locations, String pointer) {
        return locations.lineOf(pointer).map(l -> path + ":" + l).orElse(path);
    }
}

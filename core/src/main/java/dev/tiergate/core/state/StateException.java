package dev.tiergate.core.state;

import dev.tiergate.core.verdict.Verdict;

/** A state file that cannot be used; the message names the file, the field and the fix. */
public class StateException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Verdict verdict;

    public StateException(Verdict verdict) {
        super(verdict.render());
        this.verdict = verdict;
    }

    public StateException(String message) {
        super(message);
        this.verdict = null;
    }

    /** The refusals behind this exception (one built from the message when it did not come from validation). */
    public Verdict verdict() {
        return verdict != null
                ? verdict
                : Verdict.refused(
                        StateFileValidator.RULE_JSON,
                        "state file",
                        getMessage(),
                        "fix the file, or restore it from git");
    }
}

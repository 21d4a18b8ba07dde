package dev.tiergate.core.lint;

/** The parser cannot read a statement: what it expected, and where in the statement (an offset). */
public final class PgParseException extends RuntimeException {
    private final int offset;

    public PgParseException(String message, int offset) {
        super(message);
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }
}

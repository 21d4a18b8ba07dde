package dev.tiergate.core.migration;

/**
 * A statement that destroys data or breaks code still reading the old shape: where (1-based line of the
 * destructive clause), what kind ({@link DestructiveStatements#DROP_TABLE}, ...) and the statement as written.
 */
public record DestructiveFinding(int line, String kind, String statement) {
}

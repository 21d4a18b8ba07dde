package dev.tiergate.server.log;

/**
 * Quiets the libraries (Jetty, Javalin, HikariCP, Flyway, the embedded PostgreSQL) by configuring slf4j-simple
 * through its system properties. SLF4J reads them when the first logger is made, so this runs first thing in
 * {@code main}. A property given on the command line ({@code -Dorg.slf4j.simpleLogger...}) is left as it is.
 */
public final class LibraryLogging {
    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private LibraryLogging() {}

    /**
     * {@code verbose}: the libraries' INFO lines too. Otherwise only what is at least {@code quietLevel} ("warn" for
     * the server, "error" for the demo, whose output is its story); tiergate's own warnings always show.
     */
    public static void configure(boolean verbose, String quietLevel) {
        setIfAbsent(PREFIX + "defaultLogLevel", verbose ? "info" : quietLevel);
        setIfAbsent(PREFIX + "log.dev.tiergate", verbose ? "debug" : "warn");
        setIfAbsent(PREFIX + "showDateTime", "true");
        setIfAbsent(PREFIX + "dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
        setIfAbsent(PREFIX + "showThreadName", verbose ? "true" : "false");
        setIfAbsent(PREFIX + "logFile", "System.err");
        setIfAbsent("slf4j.internal.verbosity", "WARN");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}

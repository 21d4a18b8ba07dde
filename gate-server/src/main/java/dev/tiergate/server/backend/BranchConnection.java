package dev.tiergate.server.backend;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Where and as whom to connect to one database branch. {@code password} may be a short-lived credential (Lakebase,
 * Neon) and is never part of {@link #toString()}, logs or audit records; {@link #url()} includes it and is handed
 * only to an authenticated caller.
 */
public record BranchConnection(
        String host, int port, String database, String user, String password, int socketTimeoutSeconds) {

    public BranchConnection(String host, int port, String database, String user, String password) {
        this(host, port, database, user, password, 0);
    }

    /**
     * The same, but a JDBC connection made from it gives up on a server that has not answered for {@code timeout}
     * (pgjdbc's {@code socketTimeout}, which closes the connection): a bound on one statement that holds on the
     * client's side, whatever the session did to its own settings or to the watchdog.
     */
    public BranchConnection withSocketTimeout(Duration timeout) {
        return new BranchConnection(host, port, database, user, password, (int)
                Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds())));
    }

    /** {@code jdbc:postgresql://host:port/database}, without credentials. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database
                + (socketTimeoutSeconds > 0 ? "?socketTimeout=" + socketTimeoutSeconds : "");
    }

    /** {@code postgresql://user:password@host:port/database}, the form libpq, psql and most drivers take. */
    public String url() {
        return "postgresql://" + enc(user) + (password == null ? "" : ":" + enc(password)) + "@" + host + ":" + port
                + "/" + enc(database);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "BranchConnection[" + user + "@" + host + ":" + port + "/" + database + "]";
    }
}

package dev.tiergate.server.backend;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Where and as whom to connect to one database branch. {@code password} may be a short-lived credential (Lakebase,
 * Neon) and is never part of {@link #toString()}, logs or audit records; {@link #url()} includes it and is handed
 * only to an authenticated caller.
 */
public record BranchConnection(String host, int port, String database, String user, String password) {

    /** {@code jdbc:postgresql://host:port/database}, without credentials. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** {@code postgresql://user:password@host:port/database}, the form libpq, psql and most drivers take. */
    public String url() {
        return "postgresql://" + enc(user) + (password == null ? "" : ":" + enc(password)) + "@" + host + ":" + port + "/" + enc(database);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "BranchConnection[" + user + "@" + host + ":" + port + "/" + database + "]";
    }
}

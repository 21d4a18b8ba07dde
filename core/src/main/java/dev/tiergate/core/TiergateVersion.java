package dev.tiergate.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** tiergate's version, as Maven built it (the project version, filtered into version.properties). */
public final class TiergateVersion {
    private TiergateVersion() {}

    public static String current() {
        try (InputStream in = TiergateVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}

package dev.tiergate.server.support;

import dev.tiergate.testkit.ForgeStub;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Forge API calls per step, read off a stand-in forge: all requests, those charged to the rate limit (all but
 * 304s) and writes. Written to {@code target/api-budget-<forge>.md}, where {@code bench/api-budget.sh} collects
 * them for BENCHMARKS.md.
 */
public final class ApiBudget {
    public record Cost(double requests, double charged, double writes) {}

    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    private final String forge;
    private final ForgeStub stub;
    private final Map<String, Cost> costs = new LinkedHashMap<>();

    public ApiBudget(String forge, ForgeStub stub) {
        this.forge = forge;
        this.stub = stub;
    }

    public Cost measure(String what, Step step) throws Exception {
        long before = stub.requests();
        long notModified = stub.notModified();
        long writes = stub.writes();
        step.run();
        long r = stub.requests() - before;
        Cost c = new Cost(r, r - (stub.notModified() - notModified), stub.writes() - writes);
        costs.put(what, c);
        return c;
    }

    public void note(String what, Cost c) {
        costs.put(what, c);
    }

    public Cost cost(String what) {
        return costs.get(what);
    }

    public void write() throws IOException {
        StringBuilder out = new StringBuilder(
                "| " + forge + ": step | requests | charged to the rate limit | writes |\n|---|---:|---:|---:|\n");
        costs.forEach((k, v) -> out.append("| ")
                .append(k)
                .append(" | ")
                .append(fmt(v.requests()))
                .append(" | ")
                .append(fmt(v.charged()))
                .append(" | ")
                .append(fmt(v.writes()))
                .append(" |\n"));
        Path dir = Path.of("target");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("api-budget-" + forge + ".md"), out.toString(), StandardCharsets.UTF_8);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format("%.2f", d);
    }

    @Override
    public String toString() {
        return costs.toString();
    }
}

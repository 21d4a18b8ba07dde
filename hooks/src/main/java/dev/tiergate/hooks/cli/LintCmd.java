package dev.tiergate.hooks.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.core.lint.Finding;
import dev.tiergate.core.lint.LintReport;
import dev.tiergate.core.lint.LintSettings;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.SqlLint;
import dev.tiergate.core.policy.MigrationTool;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.verdict.Severity;
import dev.tiergate.hooks.Main;
import java.io.BufferedWriter;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tiergate lint FILE|DIR...}: the SQL lint over migration files, as text, JSON or SARIF 2.1.0. {@link #fastPath}
 * runs it without picocli when the arguments are only the options below and paths: building picocli's model by
 * reflection was about 50 ms of every lint (BENCHMARKS.md, "SQL lint"), as much as linting 500 files.
 */
@Command(
        name = "lint",
        description = "Lint PostgreSQL migrations (exit 2 on an error-level finding, 3 when a file cannot be read).")
public final class LintCmd implements Callable<Integer> {
    enum Format {
        text,
        json,
        sarif
    }

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "SQL files, or directories searched for *.sql")
    List<Path> paths;

    @Option(names = "--format", description = "text (default), json or sarif")
    Format format = Format.text;

    @Option(names = "--each-file-alone", description = "lint every file as its own migration set (as squawk does)")
    boolean eachFileAlone;

    @Option(
            names = "--policy",
            description = "policy whose severities, migration tool and extensions apply (default"
                    + " .tiergate/policy.yaml when present)")
    Path policyFile;

    @Option(
            names = "--assume-in-transaction",
            negatable = true,
            description =
                    "every file runs in one transaction"
                            + " (or, negated, each statement on its own), whatever the policy's migrations.tool does (as squawk's flag)")
    Boolean assumeInTransaction;

    @Spec
    CommandSpec spec;
    /** The standard output as bytes, when {@link #fastPath} runs the command (picocli hands a writer only). */
    OutputStream rawOut;

    @Override
    public Integer call() throws IOException {
        return lint(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /**
     * {@code tiergate lint ...} without picocli, when {@code args} (after {@code lint}) are paths and the options this
     * class declares, each spelt the way its annotation names it; null for anything else ({@code --help}, an unknown
     * or misspelt option, no path), which picocli then parses and explains.
     */
    public static Integer fastPath(String[] args, PrintStream stdout, PrintStream stderr) throws IOException {
        LintCmd cmd = new LintCmd();
        cmd.paths = new ArrayList<>();
        boolean onlyPaths = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (onlyPaths || !a.startsWith("-") || a.equals("-")) {
                cmd.paths.add(Path.of(a));
            } else if (a.equals("--")) {
                onlyPaths = true;
            } else if (a.equals("--each-file-alone")) {
                cmd.eachFileAlone = true;
            } else if (a.equals("--assume-in-transaction") || a.equals("--no-assume-in-transaction")) {
                cmd.assumeInTransaction = a.equals("--assume-in-transaction");
            } else if ((a.equals("--format") || a.equals("--policy")) && i + 1 < args.length) {
                if (!cmd.option(a, args[++i])) {
                    return null;
                }
            } else if (a.startsWith("--format=") || a.startsWith("--policy=")) {
                if (!cmd.option(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1))) {
                    return null;
                }
            } else {
                return null;
            }
        }
        if (cmd.paths.isEmpty()) {
            return null;
        }
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8), true);
        cmd.rawOut = stdout;
        try {
            return cmd.lint(out, err);
        } catch (IOException e) {
            err.println("tiergate lint: " + e.getMessage()); // as picocli's execution exception handler says it
            return Main.FAILED;
        }
    }

    private boolean option(String name, String value) {
        if (name.equals("--policy")) {
            policyFile = Path.of(value);
            return true;
        }
        for (Format f : Format.values()) {
            if (f.name().equals(value)) {
                format = f;
                return true;
            }
        }
        return false; // picocli names the valid values
    }

    private int lint(PrintWriter stdout, PrintWriter err) throws IOException {
        // buffered, flushed once at the end: the command line's writer flushes at every println, a system call per
        // finding in the text format (a corpus's lint printed 10,000 lines that way)
        PrintWriter out = new PrintWriter(new BufferedWriter(stdout, 1 << 16), false);
        Policy policy = policy();
        Map<String, Severity> severities = policy == null ? Map.of() : policy.severity();
        LintSettings settings = (policy == null ? LintSettings.DEFAULTS : LintSettings.of(policy.migrations()))
                .assumingInTransaction(Optional.ofNullable(assumeInTransaction));
        List<String> files = new ArrayList<>();
        Set<String> scriptConfigs = new HashSet<>(); // Flyway's V1__x.sql.conf files beside them
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                List<String> found = new ArrayList<>();
                walk(p, found, scriptConfigs);
                // in name order, as a migration tool applies them; sorted below the folder, whose path they all share
                // (a string compare is cheaper than a path compare, and cheaper still without the common prefix)
                int prefix = p.toString().length();
                List<String> relative = new ArrayList<>(found.size());
                for (String f : found) {
                    relative.add(f.substring(prefix));
                }
                relative.sort(null);
                for (String r : relative) {
                    files.add(p + r);
                }
            } else {
                files.add(p.toString());
                Path conf = p.resolveSibling(p.getFileName() + ".conf");
                if (Files.isRegularFile(conf)) {
                    scriptConfigs.add(conf.toString());
                }
            }
        }
        LintState set = LintState.newMigrationSet(settings);
        List<LintReport> reports = new ArrayList<>();
        boolean unreadable = false;
        for (String f : files) {
            String sql;
            try {
                sql = read(f);
            } catch (IOException e) {
                err.println("tiergate lint: cannot read " + f + ": " + e.getMessage());
                unreadable = true;
                continue;
            }
            String conf = f + ".conf";
            String scriptConfig = settings.tool() == MigrationTool.FLYWAY && scriptConfigs.contains(conf)
                    ? Files.readString(Path.of(conf), StandardCharsets.UTF_8)
                    : null;
            reports.add(SqlLint.lint(
                    f, sql, scriptConfig, eachFileAlone ? LintState.newMigrationSet(settings) : set, severities));
        }
        switch (format) {
            case json -> {
                StringBuilder doc = json(reports).append('\n');
                if (rawOut != null) {
                    // bytes straight to the output: the writer's encoder is a loop per character while interpreted,
                    // String.getBytes one array copy for ASCII
                    out.flush();
                    rawOut.write(doc.toString().getBytes(StandardCharsets.UTF_8));
                    rawOut.flush();
                } else {
                    out.append(doc);
                }
            }
            case sarif -> write(sarif(reports), out);
            default -> text(reports, out);
        }
        out.flush();
        if (unreadable) {
            return Main.FAILED;
        }
        for (LintReport r : reports) {
            if (r.hasErrors()) {
                return Main.REFUSED;
            }
        }
        return Main.OK;
    }

    private Policy policy() throws IOException {
        Path p = policyFile != null ? policyFile : Path.of(Policy.PATH);
        if (!Files.exists(p)) {
            return null;
        }
        return PolicyReader.read(Files.readString(p), p.toString());
    }

    /**
     * The {@code *.sql} files under a directory (as strings, to be sorted), and Flyway's script configuration files
     * ({@code *.sql.conf}) beside them, in one walk: one directory listing instead of a stat per migration.
     */
    private static void walk(Path dir, List<String> sql, Set<String> confs) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                String name = e.toString();
                // one stat an entry (as Files.walk: links to folders not followed, links to files are files)
                BasicFileAttributes a = Files.readAttributes(e, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isDirectory()) {
                    walk(e, sql, confs);
                } else if (name.endsWith(".sql")
                        && (a.isRegularFile() || a.isSymbolicLink() && Files.isRegularFile(e))) {
                    sql.add(name);
                } else if (name.endsWith(".sql.conf")) {
                    confs.add(name);
                }
            }
        }
    }

    /**
     * A file's text, strictly UTF-8 as {@link Files#readString} reads it; through a plain FileInputStream, which is
     * several times cheaper to open than a file channel while the JVM still interprets (BENCHMARKS.md, "SQL lint").
     */
    private static String read(String f) throws IOException {
        byte[] bytes;
        try (FileInputStream in = new FileInputStream(f)) {
            bytes = in.readAllBytes();
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        // a malformed byte became U+FFFD: let readString throw its MalformedInputException (a written U+FFFD is read
        // twice)
        return text.indexOf('\uFFFD') < 0 ? text : Files.readString(Path.of(f), StandardCharsets.UTF_8);
    }

    private static void text(List<LintReport> reports, PrintWriter out) {
        int errors = 0;
        int warnings = 0;
        int statements = 0;
        int notAnalysed = 0;
        int suppressed = 0;
        for (LintReport r : reports) {
            for (Finding f : r.findings()) {
                out.println(f.renderText());
                if (f.severity() == Severity.ERROR) {
                    errors++;
                } else {
                    warnings++;
                }
            }
            statements += r.statements();
            notAnalysed += r.notAnalysed();
            suppressed += r.suppressed();
        }
        out.println("tiergate lint: " + reports.size() + " files, " + statements + " statements (" + notAnalysed
                + " not analysed), " + errors + " errors, " + warnings + " warnings, " + suppressed + " suppressed");
    }

    /** Jackson's object mapper, made on first use: the JSON format streams without it. */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    /** Streams the document to the output (a corpus's findings are megabytes: no String of them first). */
    private static void write(JsonNode document, PrintWriter out) throws IOException {
        Mapper.JSON
                .writerWithDefaultPrettyPrinter()
                .without(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .writeValue(out, document);
        out.println();
    }

    /**
     * The JSON format: one object per file with its findings, compact (a machine format, like squawk's and eslint's:
     * {@code | jq .} to read it). Written by hand into one buffer: a lint over a CI's worth of files should not pay for
     * a JSON library's start-up, and it writes while the JVM still interprets, where each call per character counts
     * (BENCHMARKS.md, "SQL lint"). Rule ids, severities and fixes repeat in every finding: quoted once.
     */
    static StringBuilder json(List<LintReport> reports) {
        StringBuilder b = new StringBuilder(1 << 16);
        Map<String, String> quoted = new HashMap<>();
        char[] buffer = new char[256];
        b.append('[');
        for (int r = 0; r < reports.size(); r++) {
            LintReport report = reports.get(r);
            b.append(r == 0 ? "{\"file\":" : ",{\"file\":");
            buffer = quote(b, report.file(), buffer);
            b.append(",\"statements\":")
                    .append(report.statements())
                    .append(",\"not_analysed\":")
                    .append(report.notAnalysed())
                    .append(",\"suppressed\":")
                    .append(report.suppressed())
                    .append(",\"findings\":[");
            List<Finding> findings = report.findings();
            for (int i = 0; i < findings.size(); i++) {
                Finding x = findings.get(i);
                b.append(i == 0 ? "{\"rule\":" : ",{\"rule\":")
                        .append(quotedOnce(quoted, x.rule()))
                        .append(",\"severity\":")
                        .append(quotedOnce(quoted, x.severity().wireName()))
                        .append(",\"line\":")
                        .append(x.line())
                        .append(",\"column\":")
                        .append(x.column())
                        .append(",\"message\":");
                buffer = quote(b, x.message(), buffer);
                b.append(",\"fix\":").append(quotedOnce(quoted, x.fix())).append('}');
            }
            b.append("]}");
        }
        return b.append(']');
    }

    private static String quotedOnce(Map<String, String> quoted, String s) {
        String q = quoted.get(s);
        if (q == null) {
            StringBuilder b = new StringBuilder(s.length() + 2);
            quote(b, s, new char[s.length()]);
            q = b.toString();
            quoted.put(s, q);
        }
        return q;
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /**
     * {@code s} as a JSON string (RFC 8259: quote, backslash and control characters escaped, the short forms where
     * JSON has them, as Jackson writes them); returns the scratch buffer, grown when {@code s} did not fit.
     */
    static char[] quote(StringBuilder b, String s, char[] buffer) {
        int n = s.length();
        char[] c = buffer.length >= n ? buffer : new char[Math.max(n, buffer.length * 2)];
        s.getChars(0, n, c, 0); // one copy, not a call per character
        int plain = 0;
        while (plain < n && c[plain] >= 0x20 && c[plain] != '"' && c[plain] != '\\') {
            plain++;
        }
        if (plain == n) {
            b.append('"').append(s).append('"'); // nothing to escape: the string is copied whole
            return c;
        }
        b.append('"');
        int start = 0;
        for (int i = 0; i < n; i++) {
            char ch = c[i];
            if (ch < 0x20 || ch == '"' || ch == '\\') {
                b.append(c, start, i - start);
                switch (ch) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    case '\b' -> b.append("\\b");
                    case '\f' -> b.append("\\f");
                    default -> b.append("\\u00").append(HEX[ch >> 4]).append(HEX[ch & 0xF]);
                }
                start = i + 1;
            }
        }
        b.append(c, start, n - start).append('"');
        return c;
    }

    /** SARIF 2.1.0: one run, the catalog's SQL rules as the tool's rules, one result per finding. */
    static ObjectNode sarif(List<LintReport> reports) {
        ObjectNode root = Mapper.JSON.createObjectNode();
        root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json").put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "tiergate")
                .put("informationUri", "https://github.com/tiergate/tiergate")
                .put("version", "0.1.0");
        ArrayNode rules = driver.putArray("rules");
        for (Rule r : Rule.values()) {
            if (r.id().startsWith("sql.") || r == Rule.MIGRATION_DESTRUCTIVE) {
                ObjectNode rule = rules.addObject();
                rule.put("id", r.id());
                rule.putObject("shortDescription").put("text", r.meaning());
                rule.putObject("help").put("text", r.fix());
                rule.putObject("defaultConfiguration").put("level", level(r.defaultSeverity()));
            }
        }
        ArrayNode results = run.putArray("results");
        for (LintReport rep : reports) {
            for (Finding f : rep.findings()) {
                ObjectNode res = results.addObject();
                res.put("ruleId", f.rule()).put("level", level(f.severity()));
                res.putObject("message").put("text", f.message() + " Fix: " + f.fix());
                ObjectNode loc = res.putArray("locations").addObject().putObject("physicalLocation");
                loc.putObject("artifactLocation").put("uri", uriReference(f.file()));
                loc.putObject("region").put("startLine", f.line()).put("startColumn", f.column());
            }
        }
        return root;
    }

    /**
     * SARIF's artifactLocation.uri must be an RFC 3986 URI reference: an absolute path becomes a file: URI, a relative
     * one stays relative (code scanning resolves it against the checkout), each with spaces and non-ASCII letters
     * percent-encoded.
     */
    static String uriReference(String file) {
        Path p = Path.of(file);
        if (p.isAbsolute()) {
            return p.toUri().toASCIIString();
        }
        try {
            String path = file.replace('\\', '/');
            // a colon in the first segment would read as a scheme ("a:b.sql"): RFC 3986 4.2 says to prefix "./"
            int colon = path.indexOf(':');
            if (colon >= 0 && colon < (path.indexOf('/') < 0 ? path.length() : path.indexOf('/'))) {
                path = "./" + path;
            }
            return new URI(null, null, path, null).toASCIIString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a path: " + file, e);
        }
    }

    private static String level(Severity s) {
        return switch (s) {
            case ERROR -> "error";
            case WARNING -> "warning";
            case OFF -> "none";
        };
    }
}

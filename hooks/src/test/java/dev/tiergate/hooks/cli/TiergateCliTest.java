package dev.tiergate.hooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command tree is built for the subcommand a run names; everything a user types must still work. */
class TiergateCliTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = TiergateCli.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aNamedSubcommandGetsATreeOfItselfOnly() {
        CommandLine cl = TiergateCli.commandLine("lint", "x.sql");
        assertEquals(List.of("lint"), List.copyOf(cl.getSubcommands().keySet()));
        // its own subcommands come with it
        assertEquals(
                List.of("audit"),
                List.copyOf(TiergateCli.commandLine("audit", "verify")
                        .getSubcommands()
                        .keySet()));
        assertTrue(TiergateCli.commandLine("audit", "verify")
                .getSubcommands()
                .get("audit")
                .getSubcommands()
                .containsKey("verify"));
    }

    @Test
    void anythingElseGetsEverySubcommand() {
        for (String[] args : new String[][] {{}, {"--help"}, {"--version"}, {"lnit"}}) {
            assertEquals(
                    TiergateCli.SUBCOMMANDS.size(),
                    TiergateCli.commandLine(args).getSubcommands().size(),
                    String.join(" ", args));
        }
        List<String> names = TiergateCli.SUBCOMMANDS.stream()
                .map(c -> c.getAnnotation(Command.class).name())
                .toList();
        assertEquals(
                names, List.copyOf(TiergateCli.commandLine().getSubcommands().keySet()));
    }

    @Test
    void theTopHelpListsEverySubcommand() {
        Run r = run("--help");
        assertEquals(0, r.exit());
        for (Class<?> c : TiergateCli.SUBCOMMANDS) {
            String name = c.getAnnotation(Command.class).name();
            assertTrue(r.out().contains("  " + name + " "), name + " missing from:\n" + r.out());
        }
    }

    /** {@code tiergate prr --help} printed the top help and exited 0, as though prr were a command; tiergate prr exited 2. */
    @Test
    void aCommandThatDoesNotExistIsRefusedWithOrWithoutHelp() {
        for (String[] args : new String[][] {{"prr", "--help"}, {"prr", "-V"}, {"prr"}}) {
            Run r = run(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.out() + r.err());
            assertTrue(r.err().contains("Unmatched argument at index 0: 'prr'"), r.err());
            assertTrue(!r.out().contains("Usage: tiergate"), "no help printed as though it existed: " + r.out());
        }
    }

    @Test
    void aSubcommandsHelpAndVersionStillWork() {
        Run help = run("doctor", "--help");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().startsWith("Usage: tiergate doctor"), help.out());
        Run version = run("lint", "--version");
        assertEquals(0, version.exit(), version.err());
        assertTrue(version.out().startsWith("tiergate "), version.out());
    }

    @Test
    void aMisspeltSubcommandIsRefusedWithASuggestion() {
        Run r = run("lnit");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Unmatched argument at index 0: 'lnit'"), r.err());
        assertTrue(r.err().contains("Did you mean: tiergate init"), "suggestions come from the whole tree: " + r.err());
    }

    /** A group the database cannot make a role of is refused by `tiergate policy validate`, with the field and the fix. */
    @Test
    void policyValidateRefusesAGroupNameTheDatabaseCannotTake(@TempDir Path dir) throws IOException {
        String policy = """
                version: 1
                tiers: [{name: production, branch: main}]
                database_access:
                  groups:
                    - {name: %s, privileges: [select], schemas: [public]}
                """;
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, policy.formatted("read-only"));
        Run r = run("policy", "validate", bad.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(
                r.err()
                        .contains(bad
                                + ":5: database_access.groups[0].name is 'read-only', which cannot be a database role"),
                r.err());
        assertTrue(
                r.err()
                        .contains(
                                "[policy.access.values]\n  fix: rename the group to read_only under database_access.groups"),
                r.err());
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, policy.formatted("read_only"));
        Run ok = run("policy", "validate", good.toString());
        assertEquals(0, ok.exit(), ok.out() + ok.err());
    }
}

package dev.tiergate.hooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command tree is built for the subcommand a run names; everything a user types must still work. */
class TiergateCliTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = TiergateCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aNamedSubcommandGetsATreeOfItselfOnly() {
        CommandLine cl = TiergateCli.commandLine("lint", "x.sql");
        assertEquals(List.of("lint"), List.copyOf(cl.getSubcommands().keySet()));
        // its own subcommands come with it
        assertEquals(List.of("audit"), List.copyOf(TiergateCli.commandLine("audit", "verify").getSubcommands().keySet()));
        assertTrue(TiergateCli.commandLine("audit", "verify").getSubcommands().get("audit").getSubcommands().containsKey("verify"));
    }

    @Test
    void anythingElseGetsEverySubcommand() {
        for (String[] args : new String[][] {{}, {"--help"}, {"--version"}, {"lnit"}}) {
            assertEquals(TiergateCli.SUBCOMMANDS.size(), TiergateCli.commandLine(args).getSubcommands().size(), String.join(" ", args));
        }
        List<String> names = TiergateCli.SUBCOMMANDS.stream().map(c -> c.getAnnotation(Command.class).name()).toList();
        assertEquals(names, List.copyOf(TiergateCli.commandLine().getSubcommands().keySet()));
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

    /** {@code tiergate pr --help} printed the top help and exited 0, as though pr were a command; tiergate pr exited 2. */
    @Test
    void aCommandThatDoesNotExistIsRefusedWithOrWithoutHelp() {
        for (String[] args : new String[][] {{"pr", "--help"}, {"pr", "-V"}, {"pr"}}) {
            Run r = run(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.out() + r.err());
            assertTrue(r.err().contains("Unmatched argument at index 0: 'pr'"), r.err());
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
}

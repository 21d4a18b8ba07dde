package dev.tiergate.hooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.hooks.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/** The server's commands as the hooks' tiergate declares them: each one is handed to the server's JVM by the launcher. */
class ServerCommandsTest {
    static Path root() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("install.sh")) ? here : here.getParent();
    }

    @Test
    void theLauncherHandsEveryServerCommandToTheServersJvm() throws Exception {
        Matcher m = Pattern.compile(
                        "\n\\s*([a-z|-]+)\\)\n[^\n]*\n[^\n]*\n\\s*exec [^\n]*dev\\.tiergate\\.server\\.cli\\.ServerMain")
                .matcher(Files.readString(root().resolve("install.sh")));
        assertTrue(m.find(), "install.sh's launcher has a case that runs ServerMain");
        List<String> forwarded = List.of(m.group(1).split("\\|"));
        List<String> declared = TiergateCli.SUBCOMMANDS.stream()
                .filter(c -> c.getEnclosingClass() == ServerCommands.class)
                .map(c -> c.getAnnotation(Command.class).name())
                .toList();
        assertTrue(declared.contains("token"), declared.toString());
        assertEquals(declared, forwarded, "the commands ServerCommands declares are the ones the launcher forwards");
    }

    @Test
    void tokenRunByTheHooksClassPathSaysWhereItRuns() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = TiergateCli.run(
                new String[] {"token", "create", "--actor", "alice"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Main.FAILED, exit, err.toString(StandardCharsets.UTF_8));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("tiergate token create: runs in the server's JVM"),
                err.toString(StandardCharsets.UTF_8));
    }
}

package dev.tiergate.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiergate.hooks.cli.ServerCommands;
import dev.tiergate.hooks.cli.TiergateCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The server's commands are defined once, in the hooks' ServerCommands (which shows them in {@code tiergate --help}
 * and shell completion); the server's JVM (ServerMain, which runs them) extends each. This proves it: every command
 * ServerMain runs is a ServerCommands class, and each command's help, as a user reads it, is the same from both JVMs.
 * No database.
 */
class ServerCommandsInStepTest {
    private static final List<List<String>> COMMANDS = List.of(
            List.of("server"),
            List.of("demo"),
            List.of("audit"),
            List.of("audit", "verify"),
            List.of("audit", "export"),
            List.of("rollback"),
            List.of("release-tier"),
            List.of("token"),
            List.of("token", "create"),
            List.of("token", "list"),
            List.of("token", "revoke"));

    @Test
    void everyServerCommandHasTheSameHelpInBothJvms() {
        for (List<String> command : COMMANDS) {
            String[] args = Stream.concat(command.stream(), Stream.of("--help")).toArray(String[]::new);
            String server = help(true, args);
            String hooks = help(false, args);
            assertEquals(
                    server,
                    hooks,
                    "tiergate " + String.join(" ", command) + " --help differs between"
                            + " gate-server's cli/ServerMain.java (expected) and hooks' cli/ServerCommands.java (actual): make the hooks' copy say the same");
        }
    }

    @Test
    void everyCommandTheServerRunsExtendsTheOneDefinition() {
        for (Class<?> c : ServerMain.class.getDeclaredClasses()) {
            if (Callable.class.isAssignableFrom(c) && !c.isInterface()) {
                assertEquals(
                        ServerCommands.class,
                        c.getSuperclass().getEnclosingClass(),
                        c.getSimpleName() + " must extend its ServerCommands definition, not declare options again");
            }
        }
    }

    private static String help(boolean serverJvm, String[] args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = serverJvm ? ServerMain.run(args, o, e) : TiergateCli.run(args, o, e);
        assertEquals(
                0,
                code,
                String.join(" ", args) + " in the " + (serverJvm ? "server's" : "hooks'") + " JVM: "
                        + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}

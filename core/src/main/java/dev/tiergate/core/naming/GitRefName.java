package dev.tiergate.core.naming;

import java.util.Optional;

/**
 * Which names git can give a branch: the rules of {@code git check-ref-format --branch}, as a pure function. A
 * webhook naming a branch git cannot have (a NUL byte, {@code ..}, a trailing {@code .lock}) is forged or broken,
 * and is refused up front rather than retried.
 */
public final class GitRefName {
    private GitRefName() {}

    public static boolean isValidBranchName(String name) {
        return branchNameProblem(name).isEmpty();
    }

    /** Why git could not have a branch of this name, or empty when it could. */
    public static Optional<String> branchNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("it is empty");
        }
        if (name.equals("@")) {
            return Optional.of("it is '@'");
        }
        if (name.equals("HEAD")) {
            return Optional.of("it is 'HEAD'");
        }
        if (name.startsWith("-")) {
            return Optional.of("it starts with '-'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return Optional.of("it contains the control character U+" + String.format("%04X", (int) c));
            }
            if (" ~^:?*[\\".indexOf(c) >= 0) {
                return Optional.of("it contains '" + c + "'");
            }
        }
        if (name.contains("..")) {
            return Optional.of("it contains '..'");
        }
        if (name.contains("@{")) {
            return Optional.of("it contains '@{'");
        }
        if (name.startsWith("/") || name.endsWith("/")) {
            return Optional.of("it starts or ends with '/'");
        }
        if (name.contains("//")) {
            return Optional.of("it contains '//'");
        }
        if (name.endsWith(".")) {
            return Optional.of("it ends with '.'");
        }
        for (String component : name.split("/")) {
            if (component.startsWith(".")) {
                return Optional.of("its component '" + component + "' starts with '.'");
            }
            if (component.endsWith(".lock")) {
                return Optional.of("its component '" + component + "' ends with '.lock'");
            }
        }
        return Optional.empty();
    }

    /** The name with control characters written as {@code \\uXXXX}, safe to put in a message or a log line. */
    public static String printable(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}

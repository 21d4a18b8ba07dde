package dev.tiergate.server.forge;

/** A repository on one forge instance: {@code forge} is e.g. "github" or "gitlab", {@code path} "owner/name". */
public record RepoRef(String forge, String instance, String path) {
}

package dev.tiergate.server.forge;

/** A file in a repository's tree at some commit: its path and the SHA of its content (git's blob id). */
public record RepoFile(String path, String blobSha) {}

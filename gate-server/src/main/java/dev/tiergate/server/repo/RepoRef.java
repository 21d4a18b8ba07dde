package dev.tiergate.server.repo;

/** A repository on one forge instance: {@code forge} is e.g. "github" or "gitlab", {@code path} "owner/name". */
public record RepoRef(String forge, String instance, String path) {
    /** A key for something of this repository at {@code at} (a SHA, a pair of SHAs) in a cache. */
    public String keyFor(String at) {
        return forge + "|" + instance + "|" + path + "|" + at;
    }
}

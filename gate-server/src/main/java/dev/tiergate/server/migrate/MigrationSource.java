package dev.tiergate.server.migrate;

import dev.tiergate.core.migration.MigrationName;
import dev.tiergate.core.migration.MigrationRules;
import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.forge.RepoFile;
import dev.tiergate.server.repo.RepoRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The migration files of a repository at a commit, read through the forge's API: one listing of the migration
 * folder per SHA, and each file's content once ever (content is addressed by its blob SHA, and a migration's
 * content rarely changes). Chosen over a git mirror on the server's disk: no clone to keep, no git credentials,
 * and a PR with one new migration costs two requests; the limit is the forge's listing size (GitHub: 1,000 files
 * in one folder).
 */
public final class MigrationSource {
    private static final int BLOBS = 8192;
    private final Forge forge;
    private final Map<String, byte[]> blobs = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > BLOBS;
        }
    };

    public MigrationSource(Forge forge) {
        this.forge = forge;
    }

    /** The migration files at {@code sha} in version order (files that do not parse as migrations come last, by name). */
    public List<MigrationFile> at(RepoRef repo, String sha, MigrationSettings settings) {
        List<MigrationFile> out = new ArrayList<>();
        for (RepoFile f : forge.listDirectory(repo, sha, settings.directory())) {
            if (!MigrationRules.isMigrationPath(f.path(), settings)) {
                continue;
            }
            out.add(new MigrationFile(f.path(), content(repo, f.blobSha())));
        }
        out.sort(Comparator.comparing((MigrationFile f) -> MigrationName.parse(f.fileName(), settings.naming())
                .map(MigrationName::version)
                .orElse("~" + f.fileName())));
        return out;
    }

    private byte[] content(RepoRef repo, String blobSha) {
        synchronized (blobs) {
            byte[] known = blobs.get(blobSha);
            if (known != null) {
                return known;
            }
        }
        byte[] read = forge.blob(repo, blobSha);
        synchronized (blobs) {
            blobs.put(blobSha, read);
        }
        return read;
    }
}

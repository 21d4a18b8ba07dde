package dev.tiergate.server.gate;

import dev.tiergate.server.repo.RepoRef;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Links into tiergate's own pages, which every status's "Details" opens. */
public record GatePages(String publicUrl) {
    public String branch(RepoRef repo, String gitBranch) {
        return publicUrl + "/ui/" + repo.path() + "/branches/" + URLEncoder.encode(gitBranch, StandardCharsets.UTF_8);
    }
}

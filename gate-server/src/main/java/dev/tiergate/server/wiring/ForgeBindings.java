package dev.tiergate.server.wiring;

import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.forge.ForgeEvent;
import dev.tiergate.server.forge.github.GitHubForge;
import dev.tiergate.server.forge.github.GitHubWebhookParser;
import dev.tiergate.server.forge.github.GitHubWebhookReceiver;
import dev.tiergate.server.forge.gitlab.GitLabInstances;
import dev.tiergate.server.forge.gitlab.GitLabWebhookParser;
import dev.tiergate.server.forge.gitlab.GitLabWebhookReceiver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** The one place the forges are chosen from the configuration (GitHub, GitLab's instances) and built. */
public final class ForgeBindings {
    private ForgeBindings() {}

    /** The forges the configuration names, each with its receiver, its API client and its event parser. */
    public static List<ForgeBinding> fromConfig(ServerConfig cfg) {
        List<ForgeBinding> out = new ArrayList<>();
        if (cfg.githubEnabled()) {
            out.add(new ForgeBinding(
                    new GitHubWebhookReceiver(cfg.githubWebhookSecret()),
                    cfg.githubAppId() != null
                            ? GitHubForge.signedInAsApp(
                                    cfg.githubApiUrl(), cfg.githubAppId(), cfg.githubAppPrivateKey(), Clock.systemUTC())
                            : new GitHubForge(cfg.githubApiUrl(), cfg.githubToken()),
                    (event, headers, body) -> GitHubWebhookParser.parse(event, body)));
        }
        if (cfg.gitlabUrl() != null) {
            // TIERGATE_GITLAB_URL may list several instances (comma-separated); tokens pair up by position
            List<String> urls = List.of(cfg.gitlabUrl().split("\\s*,\\s*"));
            List<String> tokens = cfg.gitlabToken() == null
                    ? List.of()
                    : List.of(cfg.gitlabToken().split("\\s*,\\s*"));
            GitLabInstances instances = new GitLabInstances(urls, tokens);
            out.add(new ForgeBinding(
                    new GitLabWebhookReceiver(cfg.gitlabWebhookSecret(), cfg.gitlabSigningToken(), Clock.systemUTC()),
                    instances,
                    (event, headers, body) -> {
                        String instance = headers.get("x-gitlab-instance");
                        if (!instances.serves(instance)) {
                            return List.of(new ForgeEvent.Ignored(
                                    null,
                                    "delivery from GitLab instance " + instance
                                            + ", which this server is not configured for"));
                        }
                        return GitLabWebhookParser.parse(event, body, instance);
                    }));
        }
        return out;
    }
}

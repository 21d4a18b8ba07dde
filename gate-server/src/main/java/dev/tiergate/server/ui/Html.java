package dev.tiergate.server.ui;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.server.store.BranchRecord;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The dashboard's HTML: escaping, the page shell and the parts several pages show (the crumbs, a verdict, an author,
 * the page of what is not tracked). Every value from a forge (branch names, logins, titles) passes through
 * {@link #esc}, since git allows {@code < > " ' &} in branch names.
 */
final class Html {
    /** No inline script or style runs: what escaping might miss, the browser refuses. */
    static final String CSP =
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self';"
                    + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private Html() {}

    static String esc(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** One path segment (a branch name with its slashes kept inside the segment). */
    static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String branchHref(String repo, String gitBranch) {
        return "/ui/" + repo + "/branches/" + seg(gitBranch);
    }

    static String shortSha(String sha) {
        return sha == null ? "no commit" : sha.length() > 7 ? sha.substring(0, 7) : sha;
    }

    static String age(Instant at, Instant now) {
        if (at == null) {
            return "unknown";
        }
        Duration d = Duration.between(at, now);
        if (d.isNegative() || d.toSeconds() < 60) {
            return "just now";
        }
        if (d.toMinutes() < 60) {
            return d.toMinutes() + " min ago";
        }
        if (d.toHours() < 48) {
            return d.toHours() + " h ago";
        }
        return d.toDays() + " days ago";
    }

    static String size(Long bytes) {
        if (bytes == null) {
            return "unknown";
        }
        if (bytes < 1024 * 1024) {
            return (bytes / 1024) + " kB";
        }
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
    }

    /**
     * A whole page. {@code live}: the URL whose answer changes when the page would, polled by live.js to refresh
     * {@code <main>} without a reload (null: a page that does not refresh).
     */
    static String page(String title, String crumbs, String live, String body) {
        return "<!doctype html><html lang=en><head><meta charset=utf-8>"
                + "<meta name=viewport content=\"width=device-width, initial-scale=1\">"
                + "<meta name=color-scheme content=\"light dark\">"
                + "<title>" + esc(title) + "</title><link rel=stylesheet href=\"/ui/static/tiergate.css\">"
                + (live == null ? "" : "<script src=\"/ui/static/live.js\" defer></script>")
                + "</head><body><header><a class=brand href=\"/\">tiergate</a>" + crumbs + "</header>"
                + "<main" + (live == null ? "" : " data-live=\"" + esc(live) + "\"") + ">" + body
                + "</main></body></html>";
    }

    static String crumbs(String repo, String here) {
        return "<a href=\"/ui/" + esc(repo) + "\">" + esc(repo) + "</a>" + "<a href=\"/ui/" + esc(repo)
                + "/audit\">audit trail</a>"
                + (here == null || here.equals("audit") ? "" : "<span class=muted>" + esc(here) + "</span>");
    }

    /** A rule id with its meaning and fix from the catalog, and the verdict's own words. */
    static String verdict(String ruleId, String description) {
        StringBuilder b = new StringBuilder();
        if (ruleId != null && !ruleId.isBlank()) {
            Optional<Rule> rule = Rule.byId(ruleId);
            b.append("<span class=rule><code>").append(esc(ruleId)).append("</code>");
            rule.ifPresent(x -> b.append(": ")
                    .append(esc(x.meaning()))
                    .append(". <b>Fix:</b> ")
                    .append(esc(x.fix())));
            b.append("</span>");
        }
        if (description != null && !description.isBlank()) {
            b.append(b.isEmpty() ? "" : "<br>")
                    .append("<span class=muted>")
                    .append(esc(description))
                    .append("</span>");
        }
        return b.toString();
    }

    /** The page (with a 404) of a repository, or of a branch ({@code branch} not null), tiergate does not track. */
    static String notTracked(String repo, String branch) {
        return page(
                "tiergate: not tracked",
                crumbs(repo, null),
                null,
                "<h1>Not tracked</h1><p>"
                        + (branch == null
                                ? "tiergate tracks no branch of " + esc(repo) + " yet."
                                : "The branch " + esc(branch) + " is not tracked in " + esc(repo)
                                        + " (deleted, or never pushed).")
                        + "</p>");
    }

    /**
     * A branch's author as the pages show it: the login with its actor class by the policy ({@code class unknown}
     * without a policy), or {@code unknown} when no login is recorded. Plain text: the caller escapes it.
     */
    static String author(BranchRecord r, Optional<Policy> policy, String unknown) {
        return r.actorLogin() == null
                ? unknown
                : r.actorLogin() + " ("
                        + policy.map(p -> p.actorFor(r.actorLogin(), false)
                                        .actorClass()
                                        .wireName())
                                .orElse("class unknown")
                        + ")";
    }

    /** The stores give records oldest first; the pages list them newest first. */
    static <T> List<T> newestFirst(List<T> oldestFirst) {
        List<T> out = new ArrayList<>(oldestFirst);
        Collections.reverse(out);
        return out;
    }
}

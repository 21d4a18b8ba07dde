package dev.tiergate.testkit;

import dev.tiergate.testkit.ForgeStub.Answer;
import dev.tiergate.testkit.ForgeStub.Call;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GitHub's paging of lists, for {@link GitHubApiStub}: {@code per_page} (default 30, at most 100), {@code page} from
 * 1 and a {@code Link: rel="next"} header while more follow
 * (docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api). Immutable: safe from any thread.
 */
final class GitHubPaging {
    /** The stand-in's base URL, which the next page's link starts with. */
    private final String url;

    GitHubPaging(String url) {
        this.url = url;
    }

    /** One page of a list, with GitHub's Link header when more follow. */
    Answer page(List<Object> all, Call c) {
        Page p = pageOf(all, c);
        return p.linked(Answer.json(200, p.items()));
    }

    /** One page of a listing, and the URL of the next page (null on the last). */
    record Page(List<?> items, String next) {
        Answer linked(Answer a) {
            if (next != null) {
                a.headers().put("Link", "<" + next + ">; rel=\"next\"");
            }
            return a;
        }
    }

    /** GitHub's paging: {@code per_page} (default 30, at most 100) and {@code page}, from 1. */
    Page pageOf(List<?> all, Call c) {
        int perPage = Math.max(1, Math.min(100, c.intParam("per_page", 30)));
        int page = Math.max(1, c.intParam("page", 1));
        int from = Math.min(all.size(), (page - 1) * perPage);
        int to = Math.min(all.size(), from + perPage);
        if (to >= all.size()) {
            return new Page(all.subList(from, to), null);
        }
        Map<String, String> q = new LinkedHashMap<>(c.query());
        q.put("per_page", Integer.toString(perPage));
        q.put("page", Integer.toString(page + 1));
        StringBuilder next = new StringBuilder(url).append(c.path()).append('?');
        q.forEach((k, v) -> next.append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8))
                .append('&'));
        next.setLength(next.length() - 1);
        return new Page(all.subList(from, to), next.toString());
    }
}

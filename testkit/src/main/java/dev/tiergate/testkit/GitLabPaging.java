package dev.tiergate.testkit;

import dev.tiergate.testkit.ForgeStub.Answer;
import dev.tiergate.testkit.ForgeStub.Call;
import java.util.List;

/**
 * GitLab's paging of lists, for {@link GitLabApiStub}: {@code per_page} (default 20, at most 100), {@code page} from
 * 1, and the {@code X-Page}, {@code X-Per-Page}, {@code X-Total} and {@code X-Next-Page} headers (empty on the last
 * page: docs.gitlab.com/api/rest/#pagination). Stateless: safe from any thread.
 */
final class GitLabPaging {
    private GitLabPaging() {}

    /** One page of a list with GitLab's pagination headers. */
    static Answer page(List<Object> all, Call c) {
        int perPage = Math.max(1, Math.min(100, c.intParam("per_page", 20)));
        int page = Math.max(1, c.intParam("page", 1));
        int from = Math.min(all.size(), (page - 1) * perPage);
        int to = Math.min(all.size(), from + perPage);
        Answer a = Answer.json(200, all.subList(from, to));
        a.headers().put("X-Page", Integer.toString(page));
        a.headers().put("X-Per-Page", Integer.toString(perPage));
        a.headers().put("X-Total", Integer.toString(all.size()));
        a.headers().put("X-Next-Page", to < all.size() ? Integer.toString(page + 1) : "");
        return a;
    }
}

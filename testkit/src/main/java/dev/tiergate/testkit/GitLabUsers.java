package dev.tiergate.testkit;

import dev.tiergate.testkit.ForgeStub.Answer;
import dev.tiergate.testkit.ForgeStub.Call;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link GitLabApiStub}'s users and groups of the instance, and the users' tokens: who a call or a git login is
 * ({@code PRIVATE-TOKEN} or {@code Authorization: Bearer}), and the endpoints outside the project that find users
 * and a group's members.
 *
 * <p>Not thread-safe: the stub calls it only under its own lock (it synchronizes on itself), where it did when this
 * was part of it.
 */
final class GitLabUsers {
    /** Users by username: their ids, as GET /users?username= finds them. */
    private final Map<String, Long> users = new LinkedHashMap<>();
    /** Groups by full path: their members' usernames. */
    private final Map<String, List<String>> groups = new LinkedHashMap<>();
    /** Users' tokens (personal access tokens): token → username. */
    private final Map<String, String> userTokens = new LinkedHashMap<>();

    /** A user's token (see {@link GitLabApiStub#userToken}); the user is one of the instance's. */
    void userToken(String token, String username) {
        userId(username);
        userTokens.put(token, username);
    }

    /** A group, by its full path, and its members (each also a user of the instance). */
    void group(String fullPath, String... usernames) {
        groups.put(fullPath, List.of(usernames));
        for (String u : usernames) {
            userId(u);
        }
    }

    /** The user's id, a new user of the instance for a username not seen before. */
    long userId(String username) {
        return users.computeIfAbsent(username, u -> 100L + users.size());
    }

    Map<String, Object> userJson(String username) {
        return Map.of("id", userId(username), "username", username, "name", username, "bot", false);
    }

    /** The instance's users, username → id, in the order they were made. */
    Map<String, Long> all() {
        return Collections.unmodifiableMap(users);
    }

    /** The username a token given as the git password belongs to; null for a token of no user. */
    String tokenUser(String token) {
        return userTokens.get(token);
    }

    /** The username whose token the call carries (PRIVATE-TOKEN, or Authorization: Bearer); null when none. */
    String caller(Call c) {
        String token = c.header("PRIVATE-TOKEN");
        String auth = c.header("Authorization");
        if (token == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = auth.substring(7).trim();
        }
        return token == null ? null : userTokens.get(token);
    }

    String callerOr(Call c, String dflt) {
        String who = caller(c);
        return who == null ? dflt : who;
    }

    static Answer unauthorized() {
        return Answer.json(401, Map.of("message", "401 Unauthorized"));
    }

    /**
     * The endpoints outside the project: GET /users?username= (docs.gitlab.com/ee/api/users.html#list-users: an
     * array, empty when no one has the name) and GET /groups/:id/members/all (docs.gitlab.com/ee/api/members.html,
     * paged; 404 "404 Group Not Found"). Null for any other path.
     */
    Answer instanceWide(Call c) {
        if (!c.method().equals("GET")) {
            return null;
        }
        if (c.path().equals("/api/v4/user")) {
            // the token's user (docs.gitlab.com/api/users/#retrieve-the-current-user)
            String me = caller(c);
            if (me == null) {
                return unauthorized();
            }
            Map<String, Object> u = new LinkedHashMap<>(userJson(me));
            u.put("state", "active");
            return Answer.json(200, u);
        }
        if (c.path().equals("/api/v4/users")) {
            String name = c.query().get("username");
            Long id = name == null ? null : users.get(name);
            return Answer.json(
                    200, id == null ? List.of() : List.of(Map.of("id", id, "username", name, "state", "active")));
        }
        Matcher members = Pattern.compile("/api/v4/groups/(.+)/members/all").matcher(c.path());
        if (members.matches()) {
            List<String> in = groups.get(members.group(1));
            if (in == null) {
                return Answer.json(404, Map.of("message", "404 Group Not Found"));
            }
            List<Object> out = new ArrayList<>();
            in.forEach(u -> out.add(Map.of("id", userId(u), "username", u, "state", "active", "access_level", 30)));
            return GitLabPaging.page(out, c);
        }
        return null;
    }
}

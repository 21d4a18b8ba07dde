package dev.tiergate.server.http;

import dev.tiergate.server.store.ApiTokenStore;

/**
 * Who is calling {@code /api} or {@code /metrics}, resolved once per request from {@code Authorization: Bearer}
 * ({@link ApiAuth}): the operator with the admin token ({@code TIERGATE_API_TOKEN}), an actor with a token of its own,
 * or nobody (no header, which only a server without an admin token lets read branch records).
 */
sealed interface ApiCaller {
    /** Holds TIERGATE_API_TOKEN: /metrics, the doctor, and any branch's shared login. */
    record Admin() implements ApiCaller {}

    /** Holds an actor's token: the branches' read API, and on it only what the policy gives that actor. */
    record Actor(ApiTokenStore.ApiToken token) implements ApiCaller {}

    /** Sent no token: branch records without a password, on a server that sets no admin token. */
    record Anonymous() implements ApiCaller {}
}

package dev.tiergate.hooks.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An answer's body as text, refused past a size: the agent commands run in a small JVM, and a server or forge that
 * answers without end (broken, or not the one meant) must end the command with an error, not with the heap. The
 * largest answer the commands ask for is a page of 100 pull requests, well under a MiB.
 */
final class BoundedBody {
    /** What the agent commands read at most of one answer. */
    static final int LIMIT = 8 * 1024 * 1024;

    private BoundedBody() {}

    /** The answer went past the limit. */
    static final class TooLarge extends IOException {
        TooLarge(int limit) {
            super("its answer is larger than " + limit / (1024 * 1024) + " MiB, more than any answer it should give");
        }
    }

    /** The size refusal behind {@code e}, as the HTTP client throws it (itself, or as the cause of its own). */
    static java.util.Optional<TooLarge> tooLarge(IOException e) {
        return e instanceof TooLarge t
                ? java.util.Optional.of(t)
                : e.getCause() instanceof TooLarge t ? java.util.Optional.of(t) : java.util.Optional.empty();
    }

    /** A handler that reads at most {@code limit} bytes; past them the request fails with an IOException saying so. */
    static HttpResponse.BodyHandler<String> ofString(int limit) {
        return info -> new Subscriber(limit);
    }

    private static final class Subscriber implements HttpResponse.BodySubscriber<String> {
        private final int limit;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<String> body = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Subscriber(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<String> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (bytes.size() + (long) b.remaining() > limit) {
                    subscription.cancel(); // stop reading: the rest is never taken in
                    body.completeExceptionally(new TooLarge(limit));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toString(StandardCharsets.UTF_8));
        }
    }
}

package io.tasker.queue;

import io.smallrye.mutiny.Uni;
import io.tasker.messages.QueueNames;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;

/**
 * Turns the insert notifications of queues (channel = queue name) into wake-up calls for polling
 * consumers, over one dedicated connection that reconnects by itself.
 *
 * <p>Notifications are hints, not deliveries: consumers keep polling, and a wake-up is also given
 * each time a channel is (re)subscribed, since messages sent while the connection was down produced
 * no notification. Callbacks run on a Vert.x event loop and must not block.
 */
public final class QueueWakeups {

    static final long FIRST_RETRY_DELAY_MS = 100;
    static final long MAX_RETRY_DELAY_MS = 10_000;

    private final PgSubscriber subscriber;
    private final Vertx vertx;
    private volatile boolean closed;

    public QueueWakeups(Vertx vertx, PgConnectOptions options) {
        this.vertx = vertx;
        this.subscriber =
                PgSubscriber.subscriber(vertx, options)
                        .reconnectPolicy(QueueWakeups::reconnectDelayMillis);
    }

    /** Calls {@code onWakeup} whenever the queue may have new messages; chainable. */
    public QueueWakeups listen(String queue, Runnable onWakeup) {
        QueueNames.requireQueue(queue);
        subscriber.channel(queue).subscribeHandler(onWakeup).handler(payload -> onWakeup.run());
        return this;
    }

    /** Connects and LISTENs on every registered channel; fails when the first connect fails. */
    public Uni<Void> start() {
        return subscriber.connect();
    }

    /**
     * Connects in the background and, unlike {@link #start()}, keeps trying with the same back-off
     * when the first connection fails (PgSubscriber only reconnects a connection it once had), so a
     * service started while the database is down gets its wake-ups once it is back.
     */
    public void startInBackground(java.util.function.Consumer<Throwable> onFailedAttempt) {
        connectAttempt(0, onFailedAttempt);
    }

    private void connectAttempt(
            int attempt, java.util.function.Consumer<Throwable> onFailedAttempt) {
        if (closed) {
            return;
        }
        subscriber
                .connect()
                .subscribe()
                .with(
                        ok -> {},
                        e -> {
                            onFailedAttempt.accept(e);
                            vertx.setTimer(
                                    reconnectDelayMillis(attempt),
                                    t -> connectAttempt(attempt + 1, onFailedAttempt));
                        });
    }

    /** True while the listening connection is up (false while reconnecting or once closed). */
    public boolean connected() {
        return !subscriber.closed() && subscriber.getDelegate().actualConnection() != null;
    }

    /** Stops listening and closes the connection for good. */
    public Uni<Void> close() {
        closed = true;
        return subscriber.close();
    }

    /** Retries without end (until closed), doubling the delay from 100 ms up to 10 s. */
    static long reconnectDelayMillis(int retries) {
        int doublings = Math.min(retries, 16);
        return Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS << doublings);
    }
}

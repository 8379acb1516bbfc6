package io.tasker.queue;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Drives a queue consumer: polls again at once while work keeps coming, backs off (doubling up to a
 * ceiling) while the queue is idle, and polls immediately when {@link #wakeUp()} is called (a
 * LISTEN notification). At most one poll runs at a time; a poll that fails is retried after the
 * back-off, so a database outage slows the loop down instead of ending it.
 */
public final class PollingLoop {

    private static final Logger LOG = Logger.getLogger(PollingLoop.class);

    private final String name;
    private final Vertx vertx;
    private final Supplier<Uni<Integer>> pollOnce;
    private final long minIdleMs;
    private final long maxIdleMs;

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean polling = new AtomicBoolean();
    private final AtomicBoolean wakeRequested = new AtomicBoolean();
    private final AtomicLong timerId = new AtomicLong(-1);
    private volatile long idleMs;
    private volatile long lastPollFinishedAt = System.currentTimeMillis();
    private volatile Throwable lastFailure;

    /**
     * @param name used in logs
     * @param pollOnce reads and handles one batch; emits how many messages it handled (0 = idle)
     * @param minIdle the first back-off after an empty poll
     * @param maxIdle the back-off ceiling: the longest a missed notification can delay work
     */
    public PollingLoop(
            String name,
            Vertx vertx,
            Supplier<Uni<Integer>> pollOnce,
            Duration minIdle,
            Duration maxIdle) {
        this.name = name;
        this.vertx = vertx;
        this.pollOnce = pollOnce;
        this.minIdleMs = Math.max(1, minIdle.toMillis());
        this.maxIdleMs = Math.max(this.minIdleMs, maxIdle.toMillis());
        this.idleMs = this.minIdleMs;
    }

    public void start() {
        if (running.compareAndSet(false, true)) {
            schedule(0);
        }
    }

    public void stop() {
        running.set(false);
        long id = timerId.getAndSet(-1);
        if (id >= 0) {
            vertx.cancelTimer(id);
        }
    }

    public boolean isRunning() {
        return running.get();
    }

    /** True while the loop runs and its last poll finished recently (a stuck loop is not alive). */
    public boolean isAlive(Duration stuckAfter) {
        return running.get()
                && (!polling.get()
                        || System.currentTimeMillis() - lastPollFinishedAt < stuckAfter.toMillis());
    }

    public Throwable lastFailure() {
        return lastFailure;
    }

    /** Polls as soon as possible (now if idle, right after the current poll otherwise). */
    public void wakeUp() {
        if (!running.get()) {
            return;
        }
        idleMs = minIdleMs;
        if (polling.get()) {
            wakeRequested.set(true);
            return;
        }
        long id = timerId.getAndSet(-1);
        if (id >= 0 && vertx.cancelTimer(id)) {
            schedule(0);
        } else if (id >= 0) {
            // the timer already fired; its poll will run
        } else {
            schedule(0);
        }
    }

    private void schedule(long delayMs) {
        if (!running.get()) {
            return;
        }
        if (delayMs <= 0) {
            vertx.runOnContext(this::poll);
            return;
        }
        long id =
                vertx.setTimer(
                        delayMs,
                        t -> {
                            timerId.set(-1);
                            poll();
                        });
        timerId.set(id);
    }

    private void poll() {
        if (!running.get() || !polling.compareAndSet(false, true)) {
            return;
        }
        wakeRequested.set(false);
        Uni<Integer> uni;
        try {
            uni = pollOnce.get();
        } catch (RuntimeException e) {
            uni = Uni.createFrom().failure(e);
        }
        uni.subscribe()
                .with(
                        handled -> {
                            lastFailure = null;
                            finish(handled != null && handled > 0);
                        },
                        failure -> {
                            lastFailure = failure;
                            LOG.warnf(
                                    "%s: poll failed (%s); retrying in %d ms",
                                    name, failure.getMessage(), idleMs);
                            finish(false);
                        });
    }

    private void finish(boolean hadWork) {
        lastPollFinishedAt = System.currentTimeMillis();
        polling.set(false);
        if (hadWork || wakeRequested.getAndSet(false)) {
            idleMs = minIdleMs;
            schedule(0);
        } else {
            long delay = idleMs;
            idleMs = Math.min(maxIdleMs, idleMs * 2);
            schedule(delay);
        }
    }
}

package io.tasker.worker.presence;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * One worker process in the registry: each {@link #beat} records it (one SQL statement) and warns,
 * once per peer and handler set, about live workers that serve one of its namespaces with another
 * handler set; {@link #stop} marks it stopped. A failing heartbeat is logged and the next one
 * retries: presence never stops the worker.
 */
public final class WorkerPresence {

    private static final Logger LOG = Logger.getLogger(WorkerPresence.class);

    private final PresenceCalls calls;
    private final Registration registration;
    private final Set<String> warned = new HashSet<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopped;
    private volatile boolean failing;

    public WorkerPresence(PresenceCalls calls, Registration registration) {
        this.calls = calls;
        this.registration = registration;
    }

    public Registration registration() {
        return registration;
    }

    /** One presence heartbeat; completes (never fails) once it is recorded or has failed. */
    public Uni<Void> beat() {
        return Uni.createFrom()
                .deferred(
                        () -> {
                            // Counted before stopped is read: stop() then sees this heartbeat,
                            // or this heartbeat sees the stop.
                            inFlight.incrementAndGet();
                            if (stopped) {
                                inFlight.decrementAndGet();
                                return Uni.createFrom().voidItem();
                            }
                            return calls.callHeartbeat(registration)
                                    .invoke(this::recorded)
                                    .onFailure()
                                    .invoke(this::failed)
                                    .onItemOrFailure()
                                    .transformToUni((peers, failure) -> Uni.createFrom().voidItem())
                                    .eventually(inFlight::decrementAndGet);
                        });
    }

    /**
     * Stops the heartbeats and marks the worker stopped, waiting at most {@code timeout} for a
     * heartbeat still running (it would bring the row back to life) and then for the call.
     */
    public void stop(Duration timeout) {
        stopped = true;
        Instant deadline = Instant.now().plus(timeout);
        while (inFlight.get() > 0 && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        try {
            Duration left = Duration.between(Instant.now(), deadline);
            calls.callStopped(registration.workerId())
                    .await()
                    .atMost(left.isNegative() ? Duration.ofMillis(1) : left);
            LOG.infof("worker %s recorded as stopped", registration.workerId());
        } catch (RuntimeException e) {
            LOG.warnf(
                    "could not record worker %s as stopped (%s); it is gone once its heartbeat is"
                            + " older than the live timeout",
                    registration.workerId(), e.getMessage());
        }
    }

    private void recorded(List<Peer> peers) {
        if (failing) {
            failing = false;
            LOG.infof("presence heartbeat of worker %s recorded again", registration.workerId());
        }
        Set<String> current = new HashSet<>();
        for (Peer peer : peers) {
            String key = peer.workerId() + " " + peer.handlers();
            current.add(key);
            synchronized (warned) {
                if (warned.add(key)) {
                    LOG.warn(conflict(registration, peer));
                }
            }
        }
        synchronized (warned) {
            warned.retainAll(current);
        }
    }

    private void failed(Throwable e) {
        if (!failing) {
            failing = true;
            LOG.warnf(
                    "presence heartbeat of worker %s failed (%s); retrying every interval",
                    registration.workerId(), e.getMessage());
        } else {
            LOG.debugf("presence heartbeat failed again: %s", e.getMessage());
        }
    }

    /** The warning about {@code peer}: both workers, their handler sets and what it means. */
    static String conflict(Registration self, Peer peer) {
        Set<String> onlyHere = new TreeSet<>(self.handlers());
        onlyHere.removeAll(peer.handlers());
        Set<String> onlyThere = new TreeSet<>(peer.handlers());
        onlyThere.removeAll(self.handlers());
        return String.format(
                "workers with different handler sets serve namespace(s) %s: this worker %s (host"
                        + " %s, handlers %s) and worker %s (host %s, SDK %s, handlers %s)."
                        + " Handlers only here: %s; only there: %s. A step of a shared namespace"
                        + " goes to whichever worker reads it first, and a worker without the"
                        + " step's handler fails it permanently (error type unknown_handler).",
                peer.sharedNamespaces(),
                self.workerId(),
                self.host(),
                self.handlers(),
                peer.workerId(),
                peer.host(),
                peer.sdkVersion(),
                peer.handlers(),
                new ArrayList<>(onlyHere),
                new ArrayList<>(onlyThere));
    }
}

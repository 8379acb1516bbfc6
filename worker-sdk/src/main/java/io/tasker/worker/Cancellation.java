package io.tasker.worker;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Flips once when the attempt should stop: its timeout passed ({@code timeout}), its claim was lost
 * ({@code claim_lost}) or the worker is draining ({@code worker_draining}). A long handler checks
 * {@link StepContext#cancelled()} between units of work; the worker also interrupts a timed-out
 * handler's thread.
 */
public final class Cancellation {

    private final AtomicReference<String> reason = new AtomicReference<>();

    /** Cancels with {@code why}; the first reason given is kept. Called by the worker. */
    public void cancel(String why) {
        reason.compareAndSet(null, why);
    }

    public boolean isCancelled() {
        return reason.get() != null;
    }

    /** Why the attempt was cancelled, or null while it is not. */
    public String reason() {
        return reason.get();
    }
}

package io.tasker.worker.internal.execution;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's concurrency slots, shared by every namespace it serves. A poll reserves slots before
 * it reads, so concurrent polls of different queues can never hold more messages than there are
 * slots; a slot comes back only when everything that used it (the claim/report pipeline and the
 * handler's thread) has let go.
 */
public final class Slots {

    private final int capacity;
    private final AtomicInteger used = new AtomicInteger();
    private final List<Runnable> freedListeners = new CopyOnWriteArrayList<>();

    public Slots(int capacity) {
        this.capacity = Math.max(1, capacity);
    }

    public int capacity() {
        return capacity;
    }

    public int inUse() {
        return used.get();
    }

    /** Takes up to {@code wanted} free slots at once; returns how many were taken (maybe 0). */
    public int tryReserve(int wanted) {
        while (true) {
            int current = used.get();
            int taken = Math.min(wanted, capacity - current);
            if (taken <= 0) {
                return 0;
            }
            if (used.compareAndSet(current, current + taken)) {
                return taken;
            }
        }
    }

    /** Gives back slots that were reserved but not used (e.g. a read returned fewer messages). */
    public void release(int count) {
        if (count <= 0) {
            return;
        }
        used.addAndGet(-count);
        freedListeners.forEach(Runnable::run);
    }

    /** Called (on any thread) whenever slots come free. */
    public void onFreed(Runnable listener) {
        freedListeners.add(listener);
    }

    /** Wraps one already reserved slot so that it is released once its last holder lets go. */
    public Hold hold() {
        return new Hold();
    }

    /**
     * One reserved slot with a count of holders; the slot is released when the count drops to 0.
     */
    public final class Hold {
        private final AtomicInteger holders = new AtomicInteger(1);

        private Hold() {}

        /** Another party (the handler's thread) keeps the slot until it calls {@link #release}. */
        public void retain() {
            holders.incrementAndGet();
        }

        public void release() {
            if (holders.decrementAndGet() == 0) {
                Slots.this.release(1);
            }
        }
    }
}

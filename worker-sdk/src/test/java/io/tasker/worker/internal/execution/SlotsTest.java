package io.tasker.worker.internal.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SlotsTest {

    @Test
    void a_reservation_takes_at_most_the_free_slots() {
        Slots slots = new Slots(5);

        assertThat(slots.tryReserve(3)).isEqualTo(3);
        assertThat(slots.tryReserve(3)).isEqualTo(2);
        assertThat(slots.tryReserve(3)).isZero();
        slots.release(1);
        assertThat(slots.tryReserve(3)).isEqualTo(1);
    }

    @Test
    void a_held_slot_is_released_only_when_its_last_holder_lets_go() {
        Slots slots = new Slots(1);
        AtomicInteger freed = new AtomicInteger();
        slots.onFreed(freed::incrementAndGet);
        slots.tryReserve(1);
        Slots.Hold hold = slots.hold();
        hold.retain();

        hold.release();
        assertThat(slots.inUse()).isEqualTo(1);
        assertThat(freed).hasValue(0);
        hold.release();
        assertThat(slots.inUse()).isZero();
        assertThat(freed).hasValue(1);
    }

    @Test
    void concurrent_reservations_never_exceed_the_capacity() throws Exception {
        Slots slots = new Slots(7);
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    go.await();
                                } catch (InterruptedException e) {
                                    return;
                                }
                                for (int n = 0; n < 1000; n++) {
                                    taken.addAndGet(slots.tryReserve(3));
                                }
                            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }

        assertThat(taken).hasValue(7);
        assertThat(slots.inUse()).isEqualTo(7);
    }
}

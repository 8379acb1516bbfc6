package io.tasker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class QueueWakeupsTest {

    @Test
    void reconnect_delay_doubles_from_the_first_delay_up_to_the_cap_and_never_gives_up() {
        assertThat(QueueWakeups.reconnectDelayMillis(0)).isEqualTo(100);
        assertThat(QueueWakeups.reconnectDelayMillis(1)).isEqualTo(200);
        assertThat(QueueWakeups.reconnectDelayMillis(3)).isEqualTo(800);
        assertThat(QueueWakeups.reconnectDelayMillis(7)).isEqualTo(10_000);
        assertThat(
                        IntStream.of(20, 64, 1_000, Integer.MAX_VALUE)
                                .mapToLong(QueueWakeups::reconnectDelayMillis))
                .containsOnly(10_000L);
    }
}

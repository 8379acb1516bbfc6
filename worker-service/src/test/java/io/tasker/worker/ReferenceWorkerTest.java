package io.tasker.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.tasker.worker.examples.Examples;
import io.tasker.worker.examples.SleepHandler;
import io.tasker.worker.fulfillment.Fulfillment;
import io.tasker.worker.internal.handler.HandlerRegistry;
import io.tasker.worker.testing.HandlerTester;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The reference application as built: the SDK finds every handler of its two beans and class. */
@QuarkusTest
class ReferenceWorkerTest {

    @Inject HandlerRegistry handlers;

    @Test
    void every_example_and_fulfillment_handler_is_found_at_start() {
        assertThat(handlers.names())
                .hasSize(10)
                .isEqualTo(
                        HandlerTester.of(new Examples(), new SleepHandler(), new Fulfillment())
                                .names());
    }
}

package io.tasker.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.tasker.worker.internal.handler.HandlerRegistry;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The reference application as built: the SDK finds every handler of its two beans and class. */
@QuarkusTest
class ReferenceWorkerTest {

    @Inject HandlerRegistry handlers;

    @Test
    void every_example_and_fulfillment_handler_is_found_at_start() {
        assertThat(handlers.names())
                .containsExactly(
                        "examples.fail",
                        "examples.flaky",
                        "examples.noop",
                        "examples.sleep",
                        "examples.square_product",
                        "examples.unstorable",
                        "fulfillment.process_payment",
                        "fulfillment.reserve_inventory",
                        "fulfillment.ship_order",
                        "fulfillment.validate_order");
    }
}

package io.tasker.worker.internal.execution;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tasker.worker.StepResult;
import java.time.Duration;

/** The step pipeline's meters (listed in docs/operations.md). */
final class StepMetrics {

    private final MeterRegistry registry;

    StepMetrics(MeterRegistry registry, Slots slots) {
        this.registry = registry;
        registry.gauge("tasker_worker_steps_in_flight", slots, Slots::inUse);
    }

    MeterRegistry registry() {
        return registry;
    }

    void count(String name, String namespace) {
        registry.counter(name, "namespace", namespace).increment();
    }

    void handlerInvoked(String handlerName) {
        registry.counter("tasker_handler_invocations_total", "handler", handlerName).increment();
    }

    /** Records how long a handler ran and counts it as timed out when it was. */
    void executed(String namespace, String handler, StepResult result, Duration took) {
        Timer.builder("tasker_step_execution_seconds")
                .tag("namespace", namespace)
                .tag("handler", handler)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry)
                .record(took.isNegative() ? Duration.ZERO : took);
        if (result instanceof StepResult.RetryableFailure f && "timeout".equals(f.type())) {
            registry.counter(
                            "tasker_steps_timed_out_total",
                            "namespace",
                            namespace,
                            "handler",
                            handler)
                    .increment();
        }
    }
}

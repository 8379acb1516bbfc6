package io.tasker.orchestrator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The orchestrator's {@code tasker_*} counters and histograms. Tags are low-cardinality: namespace,
 * template name, action; never an id.
 */
@ApplicationScoped
public class LifecycleMetrics {

    private final MeterRegistry registry;

    public LifecycleMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public Timer.Sample startTimer() {
        return Timer.start(registry);
    }

    public void taskCreated(String namespace, String template) {
        registry.counter("tasker_tasks_created_total", "namespace", namespace, "template", template)
                .increment();
    }

    /**
     * Records one processed result notice from the JSON {@code tasker.process_step_result}
     * returned.
     */
    public void resultProcessed(JsonNode outcome, Timer.Sample started) {
        String namespace = outcome.path("namespace").asText("unknown");
        String template = outcome.path("task_name").asText("unknown");
        String action = outcome.path("action").asText("unknown");
        started.stop(histogram("tasker_result_processing_seconds", "namespace", namespace));
        registry.counter(
                        "tasker_step_results_processed_total",
                        "namespace",
                        namespace,
                        "action",
                        action)
                .increment();
        switch (action) {
            case "completed" ->
                    registry.counter("tasker_steps_completed_total", "namespace", namespace)
                            .increment();
            case "retry_scheduled" ->
                    registry.counter("tasker_steps_retried_total", "namespace", namespace)
                            .increment();
            case "failed" ->
                    registry.counter("tasker_steps_failed_total", "namespace", namespace)
                            .increment();
            default -> {}
        }
        String before = outcome.path("previous_task_state").asText();
        String after = outcome.path("task_state").asText();
        if (!before.equals(after) && (after.equals("complete") || after.equals("error"))) {
            String name =
                    after.equals("complete")
                            ? "tasker_tasks_completed_total"
                            : "tasker_tasks_failed_total";
            registry.counter(name, "namespace", namespace, "template", template).increment();
            if (outcome.hasNonNull("task_duration_ms")) {
                histogram(
                                "tasker_task_duration_seconds",
                                "namespace",
                                namespace,
                                "template",
                                template,
                                "outcome",
                                after)
                        .record(Duration.ofMillis(outcome.get("task_duration_ms").asLong()));
            }
        }
    }

    private Timer histogram(String name, String... tags) {
        return Timer.builder(name)
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
    }
}

package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tasker.messages.TaskState;
import io.tasker.messages.api.Task;
import io.tasker.messages.api.TemplateSummary;
import io.tasker.testsupport.ServiceProcess;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator reads no template files: the worker registers the templates it ships through the
 * orchestrator's API when it starts.
 */
class ShippedTemplatesE2ETest {

    /** The cluster of the running test, closed after it. */
    @AutoClose private Cluster cluster;

    @Test
    void a_worker_registers_its_templates_and_a_second_worker_finds_them_already_registered() {
        cluster = new Cluster("shipped_templates");
        ServiceProcess orchestrator = cluster.startOrchestrator(Map.of());
        assertThat(cluster.api(orchestrator).listTemplates().templates()).isEmpty();

        ServiceProcess first = cluster.startWorker("examples,fulfillment", Map.of());

        assertThat(cluster.api(orchestrator).listTemplates().templates())
                .extracting(t -> t.namespace() + "/" + t.name() + "@" + t.version())
                .contains(
                        "examples/linear_workflow@1.0.0",
                        "examples/diamond_workflow@1.0.0",
                        "fulfillment/process_order@1.0.0");
        assertThat(first.log()).contains("template examples/linear_workflow@1.0.0 from");
        assertThat(first.log()).contains("registered");
        long versions = cluster.api(orchestrator).listTemplates().templates().size();

        ServiceProcess second = cluster.startWorker("examples", Map.of());

        assertThat(second.log())
                .contains("examples/linear_workflow@1.0.0")
                .contains("was already registered");
        assertThat(cluster.api(orchestrator).listTemplates().templates()).hasSize((int) versions);
        Task task =
                cluster.awaitTaskStatus(
                        orchestrator,
                        cluster.createTask(
                                orchestrator,
                                Cluster.request(
                                        "examples", "linear_workflow", "{\"even_number\": 2}")),
                        TaskState.COMPLETE);
        assertThat(Cluster.step(task, "s4").results().asLong()).isEqualTo(65536);
    }

    @Test
    void a_worker_whose_template_differs_from_the_registered_version_does_not_start() {
        cluster = new Cluster("shipped_template_conflict");
        ServiceProcess orchestrator = cluster.startOrchestrator(Map.of());
        cluster.register(
                orchestrator,
                """
                namespace: examples
                name: linear_workflow
                version: "1.0.0"
                description: "registered by someone else first"
                steps:
                  - name: only
                    handler: examples.noop
                """);

        assertThatThrownBy(() -> cluster.startWorker("examples", Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited");
        assertThat(cluster.log("worker-2"))
                .contains("template examples/linear_workflow@1.0.0 (")
                .contains(
                        "is already registered with different content: version 1.0.0 of"
                                + " examples/linear_workflow cannot change");
        TemplateSummary stored =
                cluster.api(orchestrator).listTemplates("examples").templates().stream()
                        .filter(t -> t.name().equals("linear_workflow"))
                        .findFirst()
                        .orElseThrow();
        assertThat(stored.description()).isEqualTo("registered by someone else first");
    }
}

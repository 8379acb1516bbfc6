package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tasker.client.TaskerClient;
import io.tasker.messages.api.CreateTaskRequest;
import io.tasker.messages.api.Task;
import io.tasker.testsupport.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two orchestrators and two workers on one database: every task completes, every step runs once.
 */
class ConcurrencyE2ETest {

    private static final int TASKS = 200;
    private static Cluster cluster;
    private static List<ServiceProcess> orchestrators;
    private static List<ServiceProcess> workers;

    @BeforeAll
    static void start() {
        cluster = new Cluster("concurrency");
        // The first orchestrator migrates; the second starts on the migrated schema at the same
        // time as
        // it registers the same templates (a no-op).
        orchestrators =
                List.of(cluster.startOrchestrator(Map.of()), cluster.startOrchestrator(Map.of()));
        workers =
                List.of(
                        cluster.startWorker("examples", Map.of()),
                        cluster.startWorker("examples", Map.of()));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void two_orchestrators_and_two_workers_complete_200_concurrent_diamonds_exactly_once()
            throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<Task>> posts = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            TaskerClient target = cluster.api(orchestrators.get(i % 2));
            CreateTaskRequest request =
                    Cluster.request(
                            "examples",
                            "diamond_workflow",
                            "{\"even_number\": " + (2 * (i + 1)) + "}");
            posts.add(clients.submit(() -> target.createTask(request)));
        }
        for (Future<Task> f : posts) {
            assertThat(f.get().summary().taskUuid()).isNotNull();
        }
        clients.shutdown();

        cluster.awaitCompleteTasks(TASKS, Duration.ofMinutes(5));

        assertThat(cluster.count("SELECT count(*) FROM tasker.tasks")).isEqualTo(TASKS);
        assertThat(cluster.count("SELECT count(*) FROM tasker.workflow_steps"))
                .isEqualTo(TASKS * 4L);
        assertThat(
                        cluster.count(
                                "SELECT count(*) FROM tasker.workflow_steps WHERE current_state = 'complete' AND attempts = 1"))
                .isEqualTo(TASKS * 4L);
        // Exactly the five expected transitions per step, and six per task: nothing recorded twice.
        cluster.assertNoTransitionRecordedTwice();
        // The diamond's result for n is n^16, for every task.
        assertThat(cluster.tasksEndingInTheSixteenthPower("end")).isEqualTo(TASKS);
        // Handler invocations counted by the workers themselves: one per step, split across both.
        long invocations = 0;
        for (ServiceProcess w : workers) {
            long mine = Cluster.handlerInvocations(w, "examples.square_product");
            assertThat(mine).as("work reached " + w).isPositive();
            invocations += mine;
        }
        assertThat(invocations).isEqualTo(TASKS * 4L);
        // Every result notice was processed and deleted.
        assertThat(cluster.count("SELECT count(*) FROM pgmq.q_orchestration_step_results"))
                .isZero();
    }
}

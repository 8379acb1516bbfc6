package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tasker.testsupport.ServiceProcess;
import io.tasker.testsupport.TestDatabase;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL restarts under load: both services go unready, come back by themselves, and finish the
 * work.
 */
class DatabaseRestartE2ETest {

    private static TestDatabase.RestartableServer postgres;
    private static Cluster cluster;

    @BeforeAll
    static void start() {
        postgres = TestDatabase.RestartableServer.startNew();
        cluster = new Cluster(TestDatabase.freshEmpty(postgres.admin(), "restart"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void services_survive_a_postgres_restart_under_load_without_being_restarted() throws Exception {
        ServiceProcess orchestrator = cluster.startOrchestrator(Map.of());
        ServiceProcess worker = cluster.startWorker("examples", Map.of());
        for (int i = 0; i < 30; i++) {
            post(orchestrator, 2 * i + 2);
        }
        await().atMost(Duration.ofSeconds(60))
                .until(
                        () ->
                                cluster.count(
                                                "SELECT count(*) FROM tasker.tasks WHERE current_state = 'complete'")
                                        > 0);

        postgres.stop();
        await("orchestrator unready")
                .atMost(Duration.ofSeconds(30))
                .until(() -> readiness(orchestrator) == 503);
        await("worker unready")
                .atMost(Duration.ofSeconds(30))
                .until(() -> readiness(worker) == 503);

        postgres.start();
        await("orchestrator ready again")
                .atMost(Duration.ofSeconds(60))
                .until(() -> readiness(orchestrator) == 200);
        await("worker ready again")
                .atMost(Duration.ofSeconds(60))
                .until(() -> readiness(worker) == 200);

        // New work after the restart flows too (polling and LISTEN resumed).
        for (int i = 30; i < 40; i++) {
            post(orchestrator, 2 * i + 2);
        }
        await("all tasks complete")
                .atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () ->
                                cluster.count(
                                                "SELECT count(*) FROM tasker.tasks WHERE current_state = 'complete'")
                                        == 40);
        assertThat(orchestrator.alive()).isTrue();
        assertThat(worker.alive()).isTrue();
        assertThat(
                        cluster.count(
                                "SELECT count(*) FROM tasker.workflow_steps s JOIN tasker.tasks t USING (task_uuid)"
                                        + " WHERE s.name = 's4' AND s.results = to_jsonb(power((t.context->>'even_number')::numeric, 16))"))
                .isEqualTo(40);
    }

    private static void post(ServiceProcess orchestrator, int n) {
        cluster.createTask(
                orchestrator,
                Cluster.request("examples", "linear_workflow", "{\"even_number\": " + n + "}"));
    }

    private static int readiness(ServiceProcess s) {
        try {
            return Cluster.status(s.baseUrl() + "/q/health/ready");
        } catch (RuntimeException e) {
            return -1;
        }
    }
}

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
        awaitReadiness(orchestrator, 503, Duration.ofSeconds(30));
        awaitReadiness(worker, 503, Duration.ofSeconds(30));

        postgres.start();
        awaitReadiness(orchestrator, 200, Duration.ofSeconds(60));
        awaitReadiness(worker, 200, Duration.ofSeconds(60));

        // New work after the restart flows too (polling and LISTEN resumed).
        for (int i = 30; i < 40; i++) {
            post(orchestrator, 2 * i + 2);
        }
        cluster.awaitCompleteTasks(40, Duration.ofMinutes(3));
        assertThat(orchestrator.alive()).isTrue();
        assertThat(worker.alive()).isTrue();
        assertThat(cluster.tasksEndingInTheSixteenthPower("s4")).isEqualTo(40);
    }

    private static void post(ServiceProcess orchestrator, int n) {
        cluster.createTask(
                orchestrator,
                Cluster.request("examples", "linear_workflow", "{\"even_number\": " + n + "}"));
    }

    /** Waits until the service's readiness check answers {@code status}. */
    private static void awaitReadiness(ServiceProcess s, int status, Duration atMost) {
        await(s.name() + " readiness " + status).atMost(atMost).until(() -> readiness(s) == status);
    }

    private static int readiness(ServiceProcess s) {
        try {
            return Cluster.status(s.managementUrl() + "/q/health/ready");
        } catch (RuntimeException e) {
            return -1;
        }
    }
}

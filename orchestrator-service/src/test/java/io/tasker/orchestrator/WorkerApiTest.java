package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static io.tasker.orchestrator.ApiCalls.createTask;
import static io.tasker.orchestrator.ApiCalls.getOk;
import static io.tasker.orchestrator.ApiCalls.postJson;
import static io.tasker.orchestrator.ApiCalls.problem;
import static io.tasker.orchestrator.template.Templates.oneStep;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.tasker.orchestrator.auth.Roles;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/workers} and the execution summary's {@code waiting_for_workers}, with workers
 * recorded through the registry's own SQL functions, as a worker records itself.
 */
@QuarkusTest
@TestProfile(WorkerApiTest.ShortTimes.class)
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class WorkerApiTest {

    /** The overrides of {@code profiles/ShortTimes.properties}. */
    public static class ShortTimes extends ConfigProfile {}

    @Inject Scheduler scheduler;

    @Test
    void the_prune_is_a_scheduled_job_of_this_instance() {
        assertThat(scheduler.getScheduledJob("tasker-worker-prune")).isNotNull();
    }

    @Test
    void a_worker_is_listed_live_after_its_heartbeat_and_gone_once_stopped_or_silent()
            throws SQLException {
        String ns = "wk_" + suffix();
        String stopping = "stopping-" + suffix();
        String silent = "silent-" + suffix();
        String live = "live-" + suffix();
        heartbeat(live, ns, "h.one", "h.two");
        heartbeat(stopping, ns, "h.one");
        heartbeat(silent, ns, "h.one");
        sql("SELECT tasker.worker_stopped(?)", stopping);
        // Silent for longer than tasker.workers.live-timeout (60s).
        sql(
                "UPDATE tasker.workers SET last_seen_at = now() - interval '61 seconds'"
                        + " WHERE worker_id = ?",
                silent);

        JsonPath list = JsonPath.from(getOk("/v1/workers?namespace=" + ns));

        assertThat(list.getInt("count")).isEqualTo(3);
        // Live first, then by id.
        assertThat(list.getList("workers.worker_id", String.class))
                .containsExactly(live, silent, stopping);
        assertThat(list.getList("workers.status", String.class))
                .containsExactly("live", "gone", "gone");
        assertThat(list.getList("workers[0].handlers", String.class))
                .containsExactly("h.one", "h.two");
        assertThat(list.getList("workers[0].namespaces", String.class)).containsExactly(ns);
        assertThat(list.getString("workers[0].host")).isEqualTo("host-" + live);
        assertThat(list.getString("workers[0].sdk_version")).isEqualTo("1.0.0-test");
        assertThat(list.getString("workers[0].started_at")).isNotNull();
        assertThat(list.getString("workers[0].last_seen_at")).isNotNull();
        assertThat(list.getString("workers[0].stopped_at")).isNull();
        assertThat(list.getString("workers[2].stopped_at")).isNotNull();
    }

    @Test
    void the_namespace_filter_and_the_limit_bound_the_list() throws SQLException {
        String ns = "wf_" + suffix();
        String other = "wo_" + suffix();
        String a = "a-" + suffix();
        String b = "b-" + suffix();
        heartbeat(a, ns, "x.one");
        heartbeat(b, ns + "," + other, "x.one");

        assertThat(
                        JsonPath.from(getOk("/v1/workers?namespace=" + other))
                                .getList("workers.worker_id", String.class))
                .containsExactly(b);
        assertThat(
                        JsonPath.from(getOk("/v1/workers?limit=1&namespace=" + ns))
                                .getList("workers.worker_id", String.class))
                .containsExactly(a);
        assertThat(JsonPath.from(getOk("/v1/workers?limit=500&namespace=" + ns)).getInt("count"))
                .isEqualTo(2);
        assertThat(JsonPath.from(getOk("/v1/workers")).getList("workers.worker_id")).contains(a, b);
        problem(given().get("/v1/workers?limit=0").then(), 400, "invalid_filter");
        problem(given().get("/v1/workers?limit=501").then(), 400, "invalid_filter");
    }

    @Test
    void a_key_limited_to_namespaces_sees_only_their_workers_and_only_those_namespaces()
            throws SQLException {
        String mine = "ws_" + suffix();
        String theirs = "wt_" + suffix();
        String both = "both-" + suffix();
        String other = "other-" + suffix();
        heartbeat(both, mine + "," + theirs, "s.one");
        heartbeat(other, theirs, "s.one");
        String key =
                Credentials.createKey(
                        "workers-" + suffix(), List.of(Roles.TASKS_READ), List.of(mine));

        JsonPath list =
                JsonPath.from(
                        Credentials.as(key)
                                .get("/v1/workers")
                                .then()
                                .statusCode(200)
                                .extract()
                                .asString());

        assertThat(list.getList("workers.worker_id", String.class)).containsExactly(both);
        assertThat(list.getList("workers[0].namespaces", String.class)).containsExactly(mine);
        assertThat(
                        JsonPath.from(
                                        Credentials.as(key)
                                                .get("/v1/workers?namespace=" + theirs)
                                                .then()
                                                .statusCode(200)
                                                .extract()
                                                .asString())
                                .getList("workers.worker_id", String.class))
                .containsExactly(both);
    }

    @Test
    void a_worker_gone_longer_than_the_retention_is_pruned() throws SQLException {
        String ns = "wp_" + suffix();
        String old = "old-" + suffix();
        String recent = "recent-" + suffix();
        heartbeat(old, ns, "p.one");
        heartbeat(recent, ns, "p.one");
        sql(
                "UPDATE tasker.workers SET stopped_at = now() - interval '61 minutes',"
                        + " last_seen_at = now() - interval '61 minutes' WHERE worker_id = ?",
                old);
        sql(
                "UPDATE tasker.workers SET stopped_at = now() - interval '59 minutes',"
                        + " last_seen_at = now() - interval '59 minutes' WHERE worker_id = ?",
                recent);

        // Listed no more at once, deleted by the next prune (every second here).
        assertThat(
                        JsonPath.from(getOk("/v1/workers?namespace=" + ns))
                                .getList("workers.worker_id", String.class))
                .containsExactly(recent);
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(workerIds(ns)).containsExactly(recent));
    }

    @Test
    void a_task_shows_waiting_for_workers_until_a_worker_of_its_namespace_heartbeats()
            throws SQLException {
        String ns = "wait_" + suffix();
        postJson("/v1/templates", oneStep(ns, "lonely")).statusCode(201);
        String task = createTask(ns, "lonely", "{}").statusCode(201).extract().path("task_uuid");

        // No worker of the namespace was ever seen: waiting once tasker.workers.waiting-after
        // (1s) has passed since the task was created.
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(waitingForWorkers(task)).isTrue());

        heartbeat("serving-" + suffix(), ns, "lonely.step");
        assertThat(waitingForWorkers(task)).isFalse();
    }

    @Test
    void a_task_whose_namespace_has_a_live_worker_is_not_waiting() throws SQLException {
        String ns = "served_" + suffix();
        heartbeat("ready-" + suffix(), ns, "served.step");
        postJson("/v1/templates", oneStep(ns, "served")).statusCode(201);
        String task = createTask(ns, "served", "{}").statusCode(201).extract().path("task_uuid");
        sql(
                "UPDATE tasker.tasks SET created_at = now() - interval '1 minute'"
                        + " WHERE task_uuid = ?::uuid",
                task);

        assertThat(waitingForWorkers(task)).isFalse();
    }

    // --- helpers -----------------------------------------------------------------------------

    private static Boolean waitingForWorkers(String task) {
        return JsonPath.from(getOk("/v1/tasks/" + task))
                .getBoolean("execution_summary.waiting_for_workers");
    }

    /** Records a worker as its heartbeat does; namespaces comma-separated. */
    private static void heartbeat(String id, String namespaces, String... handlers)
            throws SQLException {
        sql(
                "SELECT count(*) FROM tasker.worker_heartbeat(?, ?, string_to_array(?, ','),"
                        + " ?::text[], '1.0.0-test', now() - interval '1 minute', 60)",
                id,
                "host-" + id,
                namespaces,
                "{" + String.join(",", handlers) + "}");
    }

    private static List<String> workerIds(String ns) throws SQLException {
        try (Connection c = DatabaseResource.database.connect();
                PreparedStatement s =
                        c.prepareStatement(
                                "SELECT worker_id FROM tasker.workers WHERE ? = ANY (namespaces)"
                                        + " ORDER BY worker_id")) {
            s.setString(1, ns);
            try (ResultSet rs = s.executeQuery()) {
                List<String> ids = new java.util.ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
                return ids;
            }
        }
    }

    private static void sql(String sql, Object... args) throws SQLException {
        try (Connection c = DatabaseResource.database.connect();
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            s.execute();
        }
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}

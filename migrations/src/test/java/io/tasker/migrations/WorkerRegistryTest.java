package io.tasker.migrations;

import static io.tasker.migrations.Sql.INSUFFICIENT_PRIVILEGE;
import static io.tasker.migrations.Sql.execute;
import static io.tasker.migrations.Sql.queryList;
import static io.tasker.migrations.Sql.queryOne;
import static io.tasker.migrations.Sql.sqlStateOf;
import static io.tasker.migrations.Sql.update;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The worker registry of V202612021200__worker_registry.sql: the presence heartbeat upserts one row
 * per worker and names the live peers with another handler set, a stopped worker is gone at once,
 * the caller's namespace scope bounds what it may register, and the orchestrator prunes the rows
 * and tells a task that waits without a live worker.
 */
class WorkerRegistryTest {

    private static final String HEARTBEAT =
            "SELECT worker_id FROM tasker.worker_heartbeat(?::text, 'host-1', ?::text[], ?::text[],"
                    + " '1.2.3', now(), ?::integer)";
    private static final String TEMPLATE =
            """
            {"steps": [{"name": "only", "handler": "examples.noop"}]}
            """;
    private static final String INVALID_PARAMETER = "22023";

    /** The namespace "waiting" and its template serve the waiting-for-workers test. */
    @RegisterExtension
    static final MigratedSchema REGISTRY =
            new MigratedSchema("registry", "waiting", "single", TEMPLATE);

    private static Connection admin;
    private static Connection worker;
    private static Connection orchestrator;
    private static Logins logins;

    @BeforeAll
    static void setUp() throws SQLException {
        admin = REGISTRY.admin();
        logins = REGISTRY.logins();
        worker = logins.login("registry", "tasker_worker");
        orchestrator = logins.login("registry_orch", "tasker_orchestrator");
    }

    @Test
    void a_heartbeat_records_the_worker_and_the_next_one_refreshes_the_same_row()
            throws SQLException {
        String id = "w-" + UUID.randomUUID();
        assertThat(heartbeat(worker, id, "{reg_b,reg_a,reg_b}", "{x.two,x.one,x.one}", 30))
                .isEmpty();
        String firstSeen = lastSeen(id);

        assertThat(
                        queryOne(
                                admin,
                                "SELECT host || ' ' || array_to_string(namespaces, ',') || ' '"
                                        + " || array_to_string(handlers, ',') || ' ' || sdk_version"
                                        + " || ' ' || (db_role::text = ?) || ' ' || (stopped_at IS NULL)"
                                        + " FROM tasker.workers WHERE worker_id = ?",
                                String.class,
                                loginOf(worker),
                                id))
                .isEqualTo("host-1 reg_a,reg_b x.one,x.two 1.2.3 true true");

        assertThat(heartbeat(worker, id, "{reg_a}", "{x.one}", 30)).isEmpty();
        assertThat(
                        queryOne(
                                admin,
                                "SELECT count(*) FROM tasker.workers WHERE worker_id = ?",
                                Long.class,
                                id))
                .isEqualTo(1L);
        assertThat(
                        queryOne(
                                admin,
                                "SELECT array_to_string(namespaces, ',') || ' '"
                                        + " || array_to_string(handlers, ',') || ' '"
                                        + " || (last_seen_at >= ?::timestamptz)"
                                        + " FROM tasker.workers WHERE worker_id = ?",
                                String.class,
                                firstSeen,
                                id))
                .isEqualTo("reg_a x.one true");
    }

    @Test
    void the_heartbeat_names_the_live_peers_of_a_shared_namespace_with_other_handlers()
            throws SQLException {
        String ns = "peers_" + suffix();
        String other = "other_" + suffix();
        String full = "full-" + suffix();
        String partial = "partial-" + suffix();
        String twin = "twin-" + suffix();
        String elsewhere = "elsewhere-" + suffix();
        String stale = "stale-" + suffix();
        String stopped = "stopped-" + suffix();

        assertThat(heartbeat(worker, full, "{" + ns + "}", "{a.one,a.two}", 30)).isEmpty();
        // Another handler set on the same namespace: each names the other.
        assertThat(heartbeat(worker, partial, "{" + ns + "," + other + "}", "{a.one}", 30))
                .containsExactly(full);
        assertThat(heartbeat(worker, full, "{" + ns + "}", "{a.two,a.one}", 30))
                .containsExactly(partial);
        // The peer's row says which namespaces are shared and what the peer runs.
        assertThat(
                        queryList(
                                worker,
                                "SELECT array_to_string(namespaces, ',') || ' ' || array_to_string(handlers, ',')"
                                        + " FROM tasker.worker_heartbeat(?, 'h', ?::text[], '{a.one,a.two}',"
                                        + " 'v', now(), 30)",
                                full,
                                "{" + ns + "}"))
                .containsExactly(ns + " a.one");

        // The same handler set is no conflict; another namespace is none of its business.
        assertThat(heartbeat(worker, twin, "{" + ns + "}", "{a.one,a.two}", 30))
                .containsExactly(partial);
        assertThat(heartbeat(worker, elsewhere, "{" + other + "}", "{b.only}", 30))
                .containsExactly(partial);

        // A peer last seen before the live window, or stopped, is not live.
        assertThat(heartbeat(worker, stale, "{" + ns + "}", "{c.stale}", 30)).hasSize(3);
        assertThat(heartbeat(worker, stopped, "{" + ns + "}", "{c.stopped}", 30)).hasSize(4);
        update(
                admin,
                "UPDATE tasker.workers SET last_seen_at = now() - interval '31 seconds'"
                        + " WHERE worker_id = ?",
                stale);
        assertThat(queryOne(worker, "SELECT tasker.worker_stopped(?)", Boolean.class, stopped))
                .isTrue();
        assertThat(heartbeat(worker, full, "{" + ns + "}", "{a.one,a.two}", 30))
                .containsExactly(partial);
        // A wider live window (the caller's choice) reaches the stale one again.
        assertThat(heartbeat(worker, full, "{" + ns + "}", "{a.one,a.two}", 60))
                .containsExactly(partial, stale);
    }

    @Test
    void a_stopped_worker_is_gone_at_once_and_a_heartbeat_brings_it_back() throws SQLException {
        String id = "stop-" + suffix();
        heartbeat(worker, id, "{stopping}", "{s.one}", 30);

        assertThat(queryOne(worker, "SELECT tasker.worker_stopped(?)", Boolean.class, id)).isTrue();
        assertThat(
                        queryOne(
                                admin,
                                "SELECT stopped_at IS NOT NULL AND stopped_at = last_seen_at"
                                        + " FROM tasker.workers WHERE worker_id = ?",
                                Boolean.class,
                                id))
                .isTrue();
        // Stopping twice, or a worker never seen, changes nothing.
        assertThat(queryOne(worker, "SELECT tasker.worker_stopped(?)", Boolean.class, id))
                .isFalse();
        assertThat(queryOne(worker, "SELECT tasker.worker_stopped('nobody')", Boolean.class))
                .isFalse();

        heartbeat(worker, id, "{stopping}", "{s.one}", 30);
        assertThat(
                        queryOne(
                                admin,
                                "SELECT stopped_at IS NULL FROM tasker.workers WHERE worker_id = ?",
                                Boolean.class,
                                id))
                .isTrue();
    }

    @Test
    void a_scoped_worker_registers_only_its_namespaces_and_takes_over_no_other_row()
            throws SQLException {
        String group = "reg_scoped_" + suffix();
        queryOne(
                admin,
                "SELECT tasker.grant_worker_namespaces(?::name, ARRAY['scope_a'])::text",
                String.class,
                group);
        logins.track(group);
        String foreign = "foreign-" + suffix();
        heartbeat(worker, foreign, "{scope_b}", "{b.one}", 30);
        String foreignRow = row(foreign);

        try (Connection scoped = logins.login("reg_scoped", group)) {
            String own = "own-" + suffix();
            assertThat(heartbeat(scoped, own, "{scope_a}", "{a.one}", 30)).isEmpty();

            sqlStateOf(() -> heartbeat(scoped, "wider-" + suffix(), "{scope_a,scope_b}", "{}", 30))
                    .isEqualTo(INSUFFICIENT_PRIVILEGE);
            sqlStateOf(() -> heartbeat(scoped, foreign, "{scope_a}", "{a.one}", 30))
                    .isEqualTo(INSUFFICIENT_PRIVILEGE);
            sqlStateOf(
                            () ->
                                    queryOne(
                                            scoped,
                                            "SELECT tasker.worker_stopped(?)",
                                            Boolean.class,
                                            foreign))
                    .isEqualTo(INSUFFICIENT_PRIVILEGE);
            sqlStateOf(() -> queryOne(scoped, "SELECT count(*) FROM tasker.workers", Long.class))
                    .isEqualTo(INSUFFICIENT_PRIVILEGE);

            assertThat(row(foreign)).isEqualTo(foreignRow);
            assertThat(
                            queryOne(
                                    admin,
                                    "SELECT count(*) FROM tasker.workers WHERE worker_id LIKE 'wider-%'",
                                    Long.class))
                    .isZero();
            assertThat(queryOne(scoped, "SELECT tasker.worker_stopped(?)", Boolean.class, own))
                    .isTrue();
        }
    }

    @Test
    void the_worker_role_reaches_the_registry_only_through_its_two_functions() {
        sqlStateOf(() -> queryOne(worker, "SELECT count(*) FROM tasker.workers", Long.class))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
        sqlStateOf(() -> update(worker, "DELETE FROM tasker.workers WHERE worker_id = 'x'"))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
        sqlStateOf(() -> queryOne(worker, "SELECT tasker.prune_workers(30, 0)", Integer.class))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
    }

    @Test
    void the_heartbeat_rejects_malformed_arguments() throws SQLException {
        String id = "bad-" + suffix();
        assertThat(heartbeat(worker, id, "{edge}", "{e.one}", 86400)).isEmpty();
        assertThat(heartbeat(worker, id, "{edge}", "{e.one}", 1)).isEmpty();
        for (int liveSeconds : new int[] {0, 86401}) {
            sqlStateOf(() -> heartbeat(worker, id, "{edge}", "{e.one}", liveSeconds))
                    .isEqualTo(INVALID_PARAMETER);
        }
        sqlStateOf(() -> heartbeat(worker, id, "{}", "{e.one}", 30)).isEqualTo(INVALID_PARAMETER);
        sqlStateOf(() -> heartbeat(worker, id, "{Edge}", "{e.one}", 30))
                .isEqualTo(INVALID_PARAMETER);
        sqlStateOf(() -> heartbeat(worker, id, "{edge}", "{\"e one\"}", 30))
                .isEqualTo(INVALID_PARAMETER);
        sqlStateOf(() -> heartbeat(worker, "", "{edge}", "{e.one}", 30))
                .isEqualTo(INVALID_PARAMETER);
        sqlStateOf(() -> heartbeat(worker, "x".repeat(201), "{edge}", "{e.one}", 30))
                .isEqualTo(INVALID_PARAMETER);
        assertThat(heartbeat(worker, "x".repeat(200), "{edge}", "{e.one}", 30)).isEmpty();
    }

    @Test
    void the_orchestrator_reads_and_prunes_the_workers_gone_longer_than_the_retention()
            throws SQLException {
        String live = "live-" + suffix();
        String recent = "recent-" + suffix();
        String old = "old-" + suffix();
        String oldStopped = "oldstop-" + suffix();
        for (String id : List.of(live, recent, old, oldStopped)) {
            heartbeat(worker, id, "{pruning}", "{p.one}", 30);
        }
        // Gone (last seen + 30 s live timeout) 10 minutes ago, 2 hours ago; stopped 2 hours ago.
        update(
                admin,
                "UPDATE tasker.workers SET last_seen_at = now() - interval '630 seconds' WHERE worker_id = ?",
                recent);
        update(
                admin,
                "UPDATE tasker.workers SET last_seen_at = now() - interval '2 hours 30 seconds'"
                        + " WHERE worker_id = ?",
                old);
        update(
                admin,
                "UPDATE tasker.workers SET stopped_at = now() - interval '2 hours',"
                        + " last_seen_at = now() - interval '2 hours' WHERE worker_id = ?",
                oldStopped);

        assertThat(queryOne(orchestrator, "SELECT tasker.prune_workers(30, 3600)", Integer.class))
                .isGreaterThanOrEqualTo(2);
        assertThat(
                        queryList(
                                orchestrator,
                                "SELECT worker_id FROM tasker.workers WHERE 'pruning' = ANY (namespaces)"
                                        + " ORDER BY worker_id"))
                .containsExactlyInAnyOrder(live, recent);
    }

    @Test
    void a_task_with_enqueued_steps_waits_for_workers_once_its_namespace_had_none_long_enough()
            throws SQLException {
        UUID task = REGISTRY.createTask();
        // Created two minutes ago; no worker of the namespace was ever seen.
        update(
                admin,
                "UPDATE tasker.tasks SET created_at = now() - interval '2 minutes' WHERE task_uuid = ?",
                task);
        assertThat(waiting(task, 60)).isTrue();
        assertThat(waiting(task, 119)).isTrue();
        assertThat(waiting(task, 121)).isFalse();

        // A live worker of another namespace changes nothing; one of this namespace does.
        heartbeat(worker, "wait-other-" + suffix(), "{not_waiting}", "{n.one}", 30);
        assertThat(waiting(task, 60)).isTrue();
        String id = "wait-" + suffix();
        heartbeat(worker, id, "{other_ns,waiting}", "{w.one}", 30);
        assertThat(waiting(task, 60)).isFalse();

        // It stopped 10 seconds ago: waiting only once the configured time has passed since.
        update(
                admin,
                "UPDATE tasker.workers SET stopped_at = now() - interval '10 seconds',"
                        + " last_seen_at = now() - interval '10 seconds' WHERE worker_id = ?",
                id);
        assertThat(waiting(task, 60)).isFalse();
        assertThat(waiting(task, 9)).isTrue();

        // Not stopped but silent: gone at last seen + live timeout (here 70 s + 30 s ago = 40 s
        // ago).
        update(
                admin,
                "UPDATE tasker.workers SET stopped_at = NULL,"
                        + " last_seen_at = now() - interval '70 seconds' WHERE worker_id = ?",
                id);
        assertThat(waiting(task, 39)).isTrue();
        assertThat(waiting(task, 41)).isFalse();

        // Nothing left to run: not waiting, whatever the workers.
        execute(
                admin,
                "UPDATE tasker.workflow_steps SET current_state = 'complete' WHERE task_uuid = ?",
                task);
        assertThat(waiting(task, 1)).isFalse();
    }

    // --- helpers -----------------------------------------------------------------------------

    /** One heartbeat; the ids of the conflicting peers it answers. */
    private static List<String> heartbeat(
            Connection c, String id, String namespaces, String handlers, int liveSeconds)
            throws SQLException {
        return queryList(c, HEARTBEAT, id, namespaces, handlers, liveSeconds);
    }

    private static boolean waiting(UUID task, int waitingAfterSeconds) throws SQLException {
        return queryOne(
                orchestrator,
                "SELECT tasker.task_waiting_for_workers(?, 30, ?)",
                Boolean.class,
                task,
                waitingAfterSeconds);
    }

    private static String lastSeen(String id) throws SQLException {
        return column(id, "last_seen_at::text");
    }

    private static String row(String id) throws SQLException {
        return column(id, "to_jsonb(w)::text");
    }

    /** One expression over the row of worker {@code id} (as {@code w}), as text. */
    private static String column(String id, String expression) throws SQLException {
        return queryOne(
                admin,
                "SELECT " + expression + " FROM tasker.workers w WHERE worker_id = ?",
                String.class,
                id);
    }

    private static String loginOf(Connection c) throws SQLException {
        return queryOne(c, "SELECT session_user::text", String.class);
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}

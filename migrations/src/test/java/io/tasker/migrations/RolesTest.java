package io.tasker.migrations;

import static io.tasker.migrations.Sql.INSUFFICIENT_PRIVILEGE;
import static io.tasker.migrations.Sql.queryList;
import static io.tasker.migrations.Sql.queryMap;
import static io.tasker.migrations.Sql.queryOne;
import static io.tasker.migrations.Sql.sqlStateOf;
import static io.tasker.migrations.Sql.update;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database roles of V202611271200__roles.sql, exercised through real logins: a member of {@code
 * tasker_worker} can run a step through the worker functions and its queue but cannot touch the
 * tasker tables or the orchestrator's functions; a member of {@code tasker_orchestrator} can run
 * the orchestrator's side without owning anything.
 */
class RolesTest {

    private static final String QUEUE = "worker_roles_ns_queue";
    private static final String TEMPLATE =
            """
            {"steps": [
              {"name": "first", "handler": "examples.noop"},
              {"name": "second", "handler": "examples.noop", "depends_on": ["first"]}
            ]}
            """;

    @RegisterExtension
    static final MigratedSchema ROLES = new MigratedSchema("roles", "roles_ns", "pair", TEMPLATE);

    private static Connection worker;
    private static Connection orchestrator;

    @BeforeAll
    static void setUp() throws SQLException {
        worker = ROLES.logins().login("worker", "tasker_worker");
        orchestrator = ROLES.logins().login("orchestrator", "tasker_orchestrator");
    }

    // --- worker ----------------------------------------------------------------------------

    @Test
    void the_worker_cannot_read_the_tasks_table() {
        assertNoPrivilege(() -> queryOne(worker, "SELECT count(*) FROM tasker.tasks", Long.class));
        assertNoPrivilege(() -> queryOne(worker, "SELECT * FROM tasker.tasks", String.class));
    }

    @Test
    void the_worker_cannot_write_workflow_steps_or_tasks() throws SQLException {
        UUID task = createTask(ROLES.admin());
        assertNoPrivilege(
                () ->
                        update(
                                worker,
                                "UPDATE tasker.workflow_steps SET current_state = 'complete' WHERE task_uuid = ?",
                                task));
        assertNoPrivilege(
                () -> update(worker, "DELETE FROM tasker.tasks WHERE task_uuid = ?", task));
    }

    @Test
    void the_worker_has_no_privilege_on_any_tasker_table() throws SQLException {
        List<String> granted =
                queryList(
                        ROLES.admin(),
                        "SELECT c.relname || ':' || p.priv"
                                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE',"
                                + "   'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p(priv)"
                                + " WHERE n.nspname = 'tasker' AND c.relkind IN ('r', 'p', 'v', 'm')"
                                + "   AND has_table_privilege('tasker_worker', c.oid, p.priv)");
        assertThat(granted).isEmpty();
        assertThat(
                        queryOne(
                                ROLES.admin(),
                                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                        + " WHERE n.nspname = 'tasker' AND c.relkind = 'r'",
                                Long.class))
                .isGreaterThan(5L);
    }

    @Test
    void the_worker_cannot_call_the_orchestrator_functions() throws SQLException {
        assertNoPrivilege(() -> createTask(worker));
        UUID task = createTask(ROLES.admin());
        assertNoPrivilege(
                () ->
                        queryOne(
                                worker,
                                "SELECT tasker.cancel_task(?, 'x', 'worker')",
                                String.class,
                                task));
        assertNoPrivilege(
                () ->
                        queryOne(
                                worker,
                                "SELECT tasker.transition_task(?, 'steps_in_process', 'cancelled')",
                                Boolean.class,
                                task));
    }

    @Test
    void the_worker_runs_a_step_through_its_queue_and_the_worker_functions() throws SQLException {
        UUID task = createTask(ROLES.admin());
        UUID first = stepUuid(task, "first");

        // pgmq.read on its queue: the root step's message.
        Map<String, String> read =
                queryMap(
                        worker,
                        "SELECT message->>'step_uuid', msg_id FROM pgmq.read(?::text, 30, 100)",
                        QUEUE);
        long msgId = Long.parseLong(read.getOrDefault(first.toString(), "-1"));
        assertThat(msgId).isPositive();

        String claim =
                queryOne(
                        worker,
                        "SELECT tasker.claim_step(?::uuid, ?::text, ?::integer, ?::text, ?::bigint)::text",
                        String.class,
                        first,
                        "w1",
                        5,
                        QUEUE,
                        msgId);
        assertThat(claim).contains("\"status\": \"claimed\"");
        UUID token = ClaimTokens.of(claim);
        assertThat(
                        queryOne(
                                worker,
                                "SELECT tasker.heartbeat_step(?::uuid, ?::uuid, 60)",
                                Boolean.class,
                                first,
                                token))
                .isTrue();
        assertThat(
                        queryOne(
                                worker,
                                "SELECT tasker.report_step_result(?::uuid, ?::uuid, 'success',"
                                        + " '{\"ok\": true}'::jsonb, NULL)",
                                String.class,
                                first,
                                token))
                .isEqualTo("accepted");

        // The state moved, the notice went to the orchestrator and the message is gone.
        assertThat(
                        queryOne(
                                ROLES.admin(),
                                "SELECT current_state || '/' || results::text FROM tasker.workflow_steps"
                                        + " WHERE workflow_step_uuid = ?",
                                String.class,
                                first))
                .isEqualTo("enqueued_for_orchestration/{\"ok\": true}");
        assertThat(
                        queryOne(
                                ROLES.admin(),
                                "SELECT count(*) FROM pgmq.q_orchestration_step_results"
                                        + " WHERE message->>'step_uuid' = ?",
                                Long.class,
                                first.toString()))
                .isEqualTo(1L);
        assertThat(
                        queryOne(
                                ROLES.admin(),
                                "SELECT count(*) FROM pgmq.q_" + QUEUE + " WHERE msg_id = ?",
                                Long.class,
                                msgId))
                .isZero();
    }

    @Test
    void the_worker_uses_pgmq_on_its_queues_but_not_on_the_results_queue() throws SQLException {
        // ensure_queue runs as the owner, and queues created later get the worker grants by
        // default.
        Sql.execute(worker, "SELECT tasker.ensure_queue('worker_roles_later_queue')");
        long sent =
                queryOne(
                        worker,
                        "SELECT * FROM pgmq.send('worker_roles_later_queue'::text, '{\"n\": 1}'::jsonb, 0)",
                        Long.class);
        assertThat(
                        queryOne(
                                worker,
                                "SELECT msg_id FROM pgmq.read('worker_roles_later_queue'::text, 30, 1)",
                                Long.class))
                .isEqualTo(sent);
        assertThat(
                        queryOne(
                                worker,
                                "SELECT count(*) FROM pgmq.set_vt('worker_roles_later_queue'::text, ?::bigint, 0)",
                                Long.class,
                                sent))
                .isEqualTo(1L);
        assertThat(
                        queryOne(
                                worker,
                                "SELECT pgmq.archive('worker_roles_later_queue'::text, ?::bigint)",
                                Boolean.class,
                                sent))
                .isTrue();
        // The KEDA scaler's query runs with the worker's credentials.
        assertThat(
                        queryOne(
                                worker,
                                "SELECT queue_length FROM pgmq.metrics('worker_roles_later_queue')",
                                Long.class))
                .isZero();
        // The shape of the query in deploy/k8s/base/worker-examples-keda.yaml (all queues of a
        // worker group), here on this test's queues.
        long before = queryOne(ROLES.admin(), "SELECT count(*) FROM pgmq.q_" + QUEUE, Long.class);
        assertThat(
                        queryOne(
                                worker,
                                "SELECT coalesce(sum(m.queue_length), 0)::bigint FROM ("
                                        + " SELECT queue_length FROM pgmq.metrics('"
                                        + QUEUE
                                        + "') UNION ALL"
                                        + " SELECT queue_length FROM pgmq.metrics('worker_roles_later_queue')) AS m",
                                Long.class))
                .isGreaterThanOrEqualTo(before);

        assertNoPrivilege(
                () ->
                        queryOne(
                                worker,
                                "SELECT msg_id FROM pgmq.read('orchestration_step_results'::text, 1, 1)",
                                Long.class));
        assertNoPrivilege(
                () ->
                        queryOne(
                                worker,
                                "SELECT pgmq.drop_queue('worker_roles_later_queue')",
                                Boolean.class));
        assertNoPrivilege(
                () -> update(worker, "DELETE FROM pgmq.meta WHERE queue_name = ?", QUEUE));
    }

    @Test
    void a_poison_message_is_archived_by_the_worker() throws SQLException {
        UUID task = createTask(ROLES.admin());
        UUID first = stepUuid(task, "first");
        long msgId = Workflows.newestMessage(ROLES.admin(), QUEUE, first);
        assertThat(
                        queryOne(
                                worker,
                                "SELECT tasker.archive_poison_message(?::text, ?::bigint, 'unreadable')",
                                Boolean.class,
                                QUEUE,
                                msgId))
                .isTrue();
        assertThat(
                        queryOne(
                                ROLES.admin(),
                                "SELECT current_state FROM tasker.workflow_steps WHERE workflow_step_uuid = ?",
                                String.class,
                                first))
                .isEqualTo("enqueued_as_error_for_orchestration");
    }

    @Test
    void only_the_worker_functions_run_as_their_owner_and_their_search_path_is_pinned()
            throws SQLException {
        List<String> definers =
                queryList(
                        ROLES.admin(),
                        "SELECT p.oid::regprocedure::text || ' ' || array_to_string(p.proconfig, ',')"
                                + "    || ' ' || has_function_privilege('tasker_worker', p.oid, 'EXECUTE')"
                                + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                                + " WHERE n.nspname = 'tasker' AND p.prosecdef ORDER BY 1");
        String pinned = " search_path=pg_catalog, pg_temp true";
        assertThat(definers)
                .containsExactly(
                        "tasker.archive_poison_message(text,bigint,text)" + pinned,
                        "tasker.claim_step(uuid,text,integer,text,bigint)" + pinned,
                        "tasker.ensure_queue(text)" + pinned,
                        "tasker.heartbeat_step(uuid,uuid,integer)" + pinned,
                        "tasker.report_step_result(uuid,uuid,text,jsonb,jsonb)" + pinned,
                        "tasker.worker_heartbeat(text,text,text[],text[],text,timestamp with time zone,integer)"
                                + pinned,
                        "tasker.worker_stopped(text)" + pinned);
        assertThat(
                        queryOne(
                                ROLES.admin(),
                                "SELECT string_agg(p.proname, ',' ORDER BY p.proname)"
                                        + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                                        + " WHERE n.nspname = 'tasker'"
                                        + "   AND has_function_privilege('public', p.oid, 'EXECUTE')",
                                String.class))
                .isNull();
    }

    // --- orchestrator ----------------------------------------------------------------------

    @Test
    void an_orchestrator_login_runs_the_orchestrator_side_without_owning_anything()
            throws SQLException {
        UUID task = createTask(orchestrator);
        assertThat(
                        queryOne(
                                orchestrator,
                                "SELECT current_state FROM tasker.tasks WHERE task_uuid = ?",
                                String.class,
                                task))
                .isEqualTo("steps_in_process");
        UUID first = stepUuid(task, "first");
        long msgId = Workflows.newestMessage(ROLES.admin(), QUEUE, first);
        String claim =
                queryOne(
                        worker,
                        "SELECT tasker.claim_step(?::uuid, 'w2', 5, ?::text, ?::bigint)::text",
                        String.class,
                        first,
                        QUEUE,
                        msgId);
        assertThat(claim).contains("\"status\": \"claimed\"");
        assertThat(
                        queryOne(
                                worker,
                                "SELECT tasker.report_step_result(?::uuid, ?::uuid, 'success', '1'::jsonb,"
                                        + " NULL)",
                                String.class,
                                first,
                                ClaimTokens.of(claim)))
                .isEqualTo("accepted");
        assertThat(
                        queryOne(
                                orchestrator,
                                "SELECT tasker.process_step_result(?::uuid)->>'action'",
                                String.class,
                                first))
                .isEqualTo("completed");
        assertThat(
                        queryOne(
                                orchestrator,
                                "SELECT current_state FROM tasker.workflow_steps WHERE task_uuid = ? AND name = 'second'",
                                String.class,
                                task))
                .isEqualTo("enqueued");
        assertThat(
                        queryOne(
                                orchestrator,
                                "SELECT count(*) FROM pgmq.read('orchestration_step_results'::text, 1, 100)",
                                Long.class))
                .isPositive();
        assertThat(queryOne(orchestrator, "SELECT count(*) FROM pgmq.metrics_all()", Long.class))
                .isGreaterThanOrEqualTo(2L);
    }

    // --- helpers -----------------------------------------------------------------------------

    private static void assertNoPrivilege(ThrowingCallable call) {
        sqlStateOf(call).isEqualTo(INSUFFICIENT_PRIVILEGE);
    }

    private static UUID createTask(Connection c) throws SQLException {
        return Workflows.createTask(c, ROLES.template());
    }

    private static UUID stepUuid(UUID task, String name) throws SQLException {
        return ROLES.step(task, name);
    }
}

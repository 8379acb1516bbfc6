package io.tasker.migrations;

import static io.tasker.migrations.Sql.sqlStateOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The schema, its state machines and the workflow functions, exercised through plain SQL. */
class SchemaTest {

    private static final String DIAMOND =
            """
            {"steps": [
              {"name": "start", "handler": "examples.square_product"},
              {"name": "left", "handler": "examples.square_product", "depends_on": ["start"]},
              {"name": "right", "handler": "examples.square_product", "depends_on": ["start"]},
              {"name": "end", "handler": "examples.square_product", "depends_on": ["left", "right"],
               "retry": {"retryable": true, "max_attempts": 2, "backoff": "fixed", "backoff_base_ms": 100}}
            ]}
            """;

    @RegisterExtension
    static final MigratedSchema SCHEMA =
            new MigratedSchema("schema", "schema_ns", "diamond", DIAMOND);

    @Test
    void every_table_of_the_model_exists() throws SQLException {
        List<String> tables =
                Sql.queryList(
                        SCHEMA.admin(),
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'tasker'");
        assertThat(tables)
                .contains(
                        "task_namespaces",
                        "named_tasks",
                        "tasks",
                        "workflow_steps",
                        "workflow_step_edges",
                        "task_transitions",
                        "workflow_step_transitions",
                        "workflow_step_attempts",
                        "tasks_dlq");
    }

    @Test
    void unknown_states_are_refused_by_check_constraints() {
        UUID task = createTask();
        sqlStateOf(
                        () ->
                                update(
                                        "UPDATE tasker.tasks SET current_state = 'sleeping' WHERE task_uuid = ?",
                                        task))
                .isEqualTo("23514");
    }

    @Test
    void creating_a_task_writes_steps_edges_transitions_and_enqueues_only_the_root()
            throws SQLException {
        UUID task = createTask();
        assertThat(taskState(task)).isEqualTo("steps_in_process");
        assertThat(stepStates(task))
                .containsEntry("start", "enqueued")
                .containsEntry("left", "pending")
                .containsEntry("right", "pending")
                .containsEntry("end", "pending");
        assertThat(
                        queryOne(
                                "SELECT count(*) FROM tasker.workflow_step_edges WHERE task_uuid = ?",
                                Long.class,
                                task))
                .isEqualTo(4L);
        assertThat(taskTransitions(task))
                .containsExactly("pending", "initializing", "enqueuing_steps", "steps_in_process");
        assertThat(
                        queryOne(
                                "SELECT count(*) FROM pgmq.q_worker_schema_ns_queue WHERE message->>'task_uuid' = ?",
                                Long.class,
                                task.toString()))
                .isEqualTo(1L);
    }

    @ParameterizedTest(name = "{0}({1} -> {2})")
    @CsvSource({
        "transition_task, steps_in_process, pending, illegal_task_transition, TK001",
        // Neither a made-up state nor a move from a state the step is not in passes.
        "transition_step, enqueued, complete_ish, illegal_step_transition, TK002",
        "transition_step, pending, complete_for_real, illegal_step_transition, TK002"
    })
    void illegal_transition_is_rejected_with_a_named_error(
            String function, String from, String to, String error, String sqlState)
            throws SQLException {
        UUID task = createTask();
        UUID subject = function.equals("transition_task") ? task : stepUuid(task, "start");
        sqlStateOf(
                        () ->
                                queryOne(
                                        "SELECT tasker." + function + "(?, ?, ?)",
                                        Boolean.class,
                                        subject,
                                        from,
                                        to),
                        error)
                .isEqualTo(sqlState);
    }

    @Test
    void compare_and_set_from_a_stale_state_changes_nothing() throws SQLException {
        UUID task = createTask();
        UUID left = stepUuid(task, "left");
        // left is pending, so an 'enqueued -> in_progress' CAS must lose and write no transition.
        assertThat(
                        queryOne(
                                "SELECT tasker.transition_step(?, 'enqueued', 'in_progress')",
                                Boolean.class,
                                left))
                .isFalse();
        assertThat(
                        queryOne(
                                "SELECT count(*) FROM tasker.workflow_step_transitions WHERE workflow_step_uuid = ?",
                                Long.class,
                                left))
                .isEqualTo(1L);
        assertThat(
                        queryOne(
                                "SELECT count(*) FROM tasker.workflow_step_transitions"
                                        + " WHERE workflow_step_uuid = ? AND most_recent",
                                Long.class,
                                left))
                .isEqualTo(1L);
    }

    @Test
    void a_whole_diamond_runs_through_claim_report_and_process_in_sql() throws SQLException {
        UUID task = createTask();
        runStep(task, "start", "{\"value\": 36}");
        assertThat(stepStates(task))
                .containsEntry("left", "enqueued")
                .containsEntry("right", "enqueued");
        runStep(task, "left", "{\"value\": 1296}");
        assertThat(stepStates(task)).containsEntry("end", "pending");
        runStep(task, "right", "{\"value\": 1296}");
        assertThat(stepStates(task)).containsEntry("end", "enqueued");

        String claim = claim(task, "end", "w1");
        assertThat(claim)
                .contains("\"left\": {\"value\": 1296}")
                .contains("\"start\": {\"value\": 36}")
                .contains("\"parents\": [\"left\", \"right\"]");
        report(task, "end", claim, "success", "{\"value\": 2821109907456}");
        process(task, "end");

        assertThat(taskState(task)).isEqualTo("complete");
        assertThat(stepStates(task).values()).containsOnly("complete");
        assertThat(taskTransitions(task))
                .endsWith("steps_in_process", "evaluating_results", "complete");
    }

    @Test
    void a_late_report_from_an_attempt_that_lost_its_claim_is_rejected() throws SQLException {
        UUID task = createTask();
        String lost = claim(task, "start", "w1");
        // Another worker cannot claim while the lease holds.
        assertThat(claim(task, "start", "w2")).contains("\"status\": \"busy\"");
        update(
                "UPDATE tasker.workflow_steps SET lease_expires_at = now() - interval '1 second' WHERE task_uuid = ?",
                task);
        String winner = claim(task, "start", "w2");
        assertThat(winner).contains("\"attempt\": 2");

        assertThat(report(task, "start", lost, "success", "{\"value\": 1}")).isEqualTo("rejected");
        assertThat(report(task, "start", winner, "success", "{\"value\": 36}"))
                .isEqualTo("accepted");
        process(task, "start");
        assertThat(
                        queryOne(
                                "SELECT results::text FROM tasker.workflow_steps WHERE workflow_step_uuid = ?",
                                String.class,
                                stepUuid(task, "start")))
                .isEqualTo("{\"value\": 36}");
        assertThat(
                        queryOne(
                                "SELECT string_agg(outcome, ',' ORDER BY attempt) FROM tasker.workflow_step_attempts"
                                        + " WHERE workflow_step_uuid = ?",
                                String.class,
                                stepUuid(task, "start")))
                .isEqualTo("rejected_late,success");
    }

    @Test
    void processing_a_notice_twice_changes_nothing() throws SQLException {
        UUID task = createTask();
        runStep(task, "start", "{\"value\": 36}");
        long before = stepTransitionCount(task);
        String again = process(task, "start");
        assertThat(again).contains("\"action\": \"duplicate\"");
        assertThat(stepTransitionCount(task)).isEqualTo(before);
    }

    @Test
    void a_retryable_failure_is_re_enqueued_with_a_delay_and_exhaustion_fails_the_task()
            throws SQLException {
        UUID task = createTask();
        runStep(task, "start", "{\"value\": 36}");
        runStep(task, "left", "{\"value\": 1296}");
        runStep(task, "right", "{\"value\": 1296}");

        report(task, "end", claim(task, "end", "w1"), "retryable_failure", null);
        assertThat(process(task, "end")).contains("retry_scheduled");
        assertThat(stepStates(task)).containsEntry("end", "enqueued");
        assertThat(
                        queryOne(
                                "SELECT next_retry_at > now() FROM tasker.workflow_steps WHERE workflow_step_uuid = ?",
                                Boolean.class,
                                stepUuid(task, "end")))
                .isTrue();

        report(task, "end", claim(task, "end", "w1"), "retryable_failure", null);
        assertThat(process(task, "end")).contains("\"action\": \"failed\"");
        assertThat(stepStates(task)).containsEntry("end", "error");
        assertThat(taskState(task)).isEqualTo("error");
        assertThat(taskTransitions(task))
                .endsWith("evaluating_results", "blocked_by_failures", "error");
    }

    @Test
    void blocked_by_failures_outranks_has_ready_steps_in_the_summary() throws SQLException {
        UUID task = createTask();
        runStep(task, "start", "{\"value\": 36}");
        // left fails permanently while right is ready to run.
        report(task, "left", claim(task, "left", "w1"), "permanent_failure", "{}");
        process(task, "left");
        update(
                "UPDATE tasker.workflow_steps SET current_state = 'pending' WHERE task_uuid = ? AND name = 'right'",
                task);
        assertThat(
                        queryOne(
                                "SELECT execution_status || '/' || ready_steps FROM tasker.task_execution_summary(?)",
                                String.class,
                                task))
                .isEqualTo("blocked_by_failures/1");
    }

    @Test
    void readiness_reports_dependencies_and_retry_eligibility() throws SQLException {
        UUID task = createTask();
        Map<String, String> readiness =
                Sql.queryMap(
                        SCHEMA.admin(),
                        "SELECT name, dependencies_satisfied || '/' || retry_eligible || '/' || ready"
                                + " FROM tasker.step_readiness(?)",
                        task);
        assertThat(readiness)
                .containsEntry("start", "true/true/false")
                .containsEntry("left", "false/true/false")
                .containsEntry("end", "false/true/false");
    }

    @Test
    void backoff_policies_compute_the_documented_delays() throws SQLException {
        String policy =
                "{\"backoff\": \"%s\", \"backoff_base_ms\": 1000, \"max_backoff_ms\": 5000, \"jitter_percent\": 0}";
        assertThat(delay(policy.formatted("exponential"), 1, null)).isEqualTo(1000L);
        assertThat(delay(policy.formatted("exponential"), 3, null)).isEqualTo(4000L);
        assertThat(delay(policy.formatted("exponential"), 4, null)).isEqualTo(5000L);
        assertThat(delay(policy.formatted("linear"), 3, null)).isEqualTo(3000L);
        assertThat(delay(policy.formatted("fixed"), 3, null)).isEqualTo(1000L);
        assertThat(delay(policy.formatted("fixed"), 1, 2000L)).isEqualTo(2000L);
        assertThat(delay(policy.formatted("fixed"), 1, 60000L)).isEqualTo(5000L);
        String jittered =
                "{\"backoff\": \"fixed\", \"backoff_base_ms\": 1000, \"jitter_percent\": 10}";
        for (int i = 0; i < 20; i++) {
            assertThat(delay(jittered, 1, null)).isBetween(900L, 1100L);
        }
    }

    @Test
    void cancelling_a_task_mid_run_cancels_its_unfinished_steps_and_keeps_complete_ones()
            throws SQLException {
        UUID task = createTask();
        runStep(task, "start", "{\"value\": 36}");
        claim(task, "left", "w1");
        assertThat(stepStates(task))
                .containsEntry("left", "in_progress")
                .containsEntry("right", "enqueued")
                .containsEntry("end", "pending");

        assertThat(cancel(task, "ops")).isEqualTo("cancelled");

        assertThat(taskState(task)).isEqualTo("cancelled");
        assertThat(stepStates(task))
                .containsEntry("start", "complete")
                .containsEntry("left", "cancelled")
                .containsEntry("right", "cancelled")
                .containsEntry("end", "cancelled");
        assertThat(
                        queryOne(
                                "SELECT count(*) FROM tasker.workflow_steps"
                                        + " WHERE task_uuid = ? AND (claimed_by IS NOT NULL OR lease_expires_at IS NOT NULL)",
                                Long.class,
                                task))
                .isZero();
        assertThat(taskTransitions(task)).endsWith("steps_in_process", "cancelled");
        assertThat(
                        queryOne(
                                "SELECT reason || '/' || (metadata->>'actor') || '/' || (metadata->>'reason')"
                                        + " FROM tasker.task_transitions WHERE task_uuid = ? AND most_recent",
                                String.class,
                                task))
                .isEqualTo("cancelled_by_operator/ops/no longer needed");
        assertThat(
                        queryOne(
                                "SELECT string_agg(s.name || ':' || t.from_state || ':' || (t.metadata->>'actor'), ','"
                                        + " ORDER BY s.name)"
                                        + " FROM tasker.workflow_step_transitions t"
                                        + " JOIN tasker.workflow_steps s USING (workflow_step_uuid)"
                                        + " WHERE t.task_uuid = ? AND t.to_state = 'cancelled'"
                                        + " AND t.reason = 'task_cancelled' AND t.most_recent",
                                String.class,
                                task))
                .isEqualTo("end:pending:ops,left:in_progress:ops,right:enqueued:ops");
        // The queued message of a cancelled step is not claimable, so the worker drops it.
        assertThat(claim(task, "right", "w2")).contains("\"status\": \"not_claimable\"");
    }

    @Test
    void a_late_report_for_a_cancelled_step_is_discarded() throws SQLException {
        UUID task = createTask();
        String claim = claim(task, "start", "w1");
        assertThat(cancel(task, "ops")).isEqualTo("cancelled");

        assertThat(report(task, "start", claim, "success", "{\"value\": 36}"))
                .isEqualTo("discarded");
        assertThat(process(task, "start")).contains("\"action\": \"discarded\"");
        assertThat(stepStates(task).values()).containsOnly("cancelled");
        assertThat(
                        queryOne(
                                "SELECT results IS NULL FROM tasker.workflow_steps WHERE workflow_step_uuid = ?",
                                Boolean.class,
                                stepUuid(task, "start")))
                .isTrue();
        assertThat(
                        queryOne(
                                "SELECT count(*) FROM pgmq.q_orchestration_step_results WHERE message->>'task_uuid' = ?",
                                Long.class,
                                task.toString()))
                .isZero();
    }

    @Test
    void cancelling_twice_reports_terminal_and_an_unknown_task_not_found() throws SQLException {
        UUID task = createTask();
        assertThat(cancel(task, "ops")).isEqualTo("cancelled");
        long transitions = stepTransitionCount(task);

        assertThat(cancel(task, "ops")).isEqualTo("terminal");
        assertThat(taskTransitions(task)).endsWith("steps_in_process", "cancelled");
        assertThat(stepTransitionCount(task)).isEqualTo(transitions);
        assertThat(cancel(UUID.randomUUID(), "ops")).isEqualTo("not_found");
    }

    @Test
    void a_poison_message_for_a_step_is_archived_with_its_reason_and_fails_the_step()
            throws SQLException {
        UUID task = createTask();
        UUID start = stepUuid(task, "start");
        long msgId =
                queryOne(
                        "SELECT msg_id FROM pgmq.q_worker_schema_ns_queue WHERE message->>'step_uuid' = ?",
                        Long.class,
                        start.toString());
        assertThat(
                        queryOne(
                                "SELECT tasker.archive_poison_message('worker_schema_ns_queue', ?, 'read 11 times')",
                                Boolean.class,
                                msgId))
                .isTrue();
        assertThat(
                        queryOne(
                                "SELECT reason FROM tasker.archived_message_reasons WHERE msg_id = ?",
                                String.class,
                                msgId))
                .isEqualTo("read 11 times");
        assertThat(
                        queryOne(
                                "SELECT count(*) FROM pgmq.a_worker_schema_ns_queue WHERE msg_id = ?",
                                Long.class,
                                msgId))
                .isEqualTo(1L);
        assertThat(process(task, "start")).contains("\"action\": \"failed\"");
        assertThat(stepStates(task)).containsEntry("start", "error");
        assertThat(taskState(task)).isEqualTo("error");
        assertThat(
                        queryOne(
                                "SELECT last_error->>'type' FROM tasker.workflow_steps WHERE workflow_step_uuid = ?",
                                String.class,
                                start))
                .isEqualTo("poison_message");
    }

    @Test
    void a_batch_of_notices_is_processed_in_one_call_and_each_outcome_is_reported()
            throws SQLException {
        UUID first = createTask();
        UUID second = createTask();
        for (UUID task : List.of(first, second)) {
            assertThat(
                            report(
                                    task,
                                    "start",
                                    claim(task, "start", "w1"),
                                    "success",
                                    "{\"value\": 36}"))
                    .isEqualTo("accepted");
        }
        Connection db = SCHEMA.admin();
        List<String> outcomes =
                Sql.queryList(
                        db,
                        "SELECT r->>'action' FROM tasker.process_step_results(?::uuid[], ?::bigint[]) r",
                        db.createArrayOf(
                                "uuid",
                                new Object[] {stepUuid(first, "start"), stepUuid(second, "start")}),
                        db.createArrayOf("bigint", new Object[] {notice(first), notice(second)}));
        assertThat(outcomes).containsExactly("completed", "completed");
        assertThat(stepStates(first))
                .containsEntry("start", "complete")
                .containsEntry("left", "enqueued");
        assertThat(stepStates(second))
                .containsEntry("start", "complete")
                .containsEntry("right", "enqueued");
        assertThat(
                        queryOne(
                                "SELECT count(*) FROM pgmq.q_orchestration_step_results WHERE message->>'task_uuid' IN (?, ?)",
                                Long.class,
                                first.toString(),
                                second.toString()))
                .as("processed notices are deleted")
                .isZero();
        sqlStateOf(
                        () ->
                                queryOne(
                                        "SELECT count(*) FROM tasker.process_step_results(ARRAY[gen_random_uuid()], ARRAY[]::bigint[])",
                                        Long.class))
                .isEqualTo("22023");
    }

    // --- helpers -----------------------------------------------------------------------------

    private static long notice(UUID task) throws SQLException {
        return queryOne(
                "SELECT msg_id FROM pgmq.q_orchestration_step_results WHERE message->>'step_uuid' = ?",
                Long.class,
                stepUuid(task, "start").toString());
    }

    private static String cancel(UUID task, String actor) throws SQLException {
        return queryOne(
                "SELECT tasker.cancel_task(?, 'no longer needed', ?)", String.class, task, actor);
    }

    private static long delay(String policy, int attempt, Long requested) throws SQLException {
        return queryOne(
                "SELECT tasker.retry_delay_ms(?::jsonb, ?, ?)",
                Long.class,
                policy,
                attempt,
                requested);
    }

    private static UUID createTask() {
        try {
            return Workflows.createTask(SCHEMA.admin(), SCHEMA.template(), "{\"even_number\": 6}");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void runStep(UUID task, String step, String result) throws SQLException {
        Workflows.run(SCHEMA.admin(), stepUuid(task, step), SCHEMA.queue(), result);
    }

    /** Claims a step through its newest message in the namespace's queue, as a worker does. */
    private static String claim(UUID task, String step, String worker) throws SQLException {
        return Workflows.claim(SCHEMA.admin(), stepUuid(task, step), worker, SCHEMA.queue());
    }

    /** Reports with the claim token of {@code claim} (the JSON {@link #claim} returned). */
    private static String report(UUID task, String step, String claim, String outcome, String json)
            throws SQLException {
        boolean success = outcome.equals("success");
        return Workflows.report(
                SCHEMA.admin(),
                stepUuid(task, step),
                ClaimTokens.of(claim),
                outcome,
                success ? json : null,
                success ? null : "{\"message\": \"boom\", \"type\": \"TestFailure\"}");
    }

    private static String process(UUID task, String step) throws SQLException {
        return Workflows.process(SCHEMA.admin(), stepUuid(task, step));
    }

    private static UUID stepUuid(UUID task, String name) throws SQLException {
        return SCHEMA.step(task, name);
    }

    private static Map<String, String> stepStates(UUID task) throws SQLException {
        return Sql.queryMap(
                SCHEMA.admin(),
                "SELECT name, current_state FROM tasker.workflow_steps WHERE task_uuid = ?",
                task);
    }

    private static long stepTransitionCount(UUID task) throws SQLException {
        return queryOne(
                "SELECT count(*) FROM tasker.workflow_step_transitions WHERE task_uuid = ?",
                Long.class,
                task);
    }

    private static String taskState(UUID task) throws SQLException {
        return Workflows.taskState(SCHEMA.admin(), task);
    }

    private static List<String> taskTransitions(UUID task) throws SQLException {
        return Sql.queryList(
                SCHEMA.admin(),
                "SELECT to_state FROM tasker.task_transitions WHERE task_uuid = ? ORDER BY sort_key",
                task);
    }

    private static void update(String sql, Object... args) throws SQLException {
        Sql.update(SCHEMA.admin(), sql, args);
    }

    private static <T> T queryOne(String sql, Class<T> type, Object... args) throws SQLException {
        return Sql.queryOne(SCHEMA.admin(), sql, type, args);
    }
}

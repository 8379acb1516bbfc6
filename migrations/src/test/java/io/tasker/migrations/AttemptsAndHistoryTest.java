package io.tasker.migrations;

import static io.tasker.migrations.Sql.queryList;
import static io.tasker.migrations.Sql.queryOne;
import static io.tasker.migrations.Sql.sqlStateOf;
import static io.tasker.migrations.Sql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attempts left open by whoever settles a step other than its worker are closed with the reason,
 * the transition history cannot be rewritten, and the retention purge removes only finished tasks
 * (V202612020200__lock_order_and_history.sql).
 */
class AttemptsAndHistoryTest {

    private static final String PAIR =
            """
            {"steps": [
              {"name": "first", "handler": "examples.noop"},
              {"name": "second", "handler": "examples.noop", "depends_on": ["first"]}
            ],
             "lifecycle": {"max_duration_minutes": 1}}
            """;
    private static final String IMMUTABLE = "TK020";
    private static final String HISTORY = "transition_history_immutable";
    private static final String TASK_DELETE = "task_delete_refused";

    @RegisterExtension
    static final MigratedSchema HISTORY_DB = new MigratedSchema("history", "hist", "pair", PAIR);

    private static Connection db;

    @BeforeAll
    static void setUp() {
        db = HISTORY_DB.admin();
    }

    // --- attempts ------------------------------------------------------------------------------

    /** An action that settles the running step {@code first} of a task; its answer. */
    @FunctionalInterface
    interface Settle {
        String on(UUID task) throws SQLException;
    }

    static Stream<Arguments> settlements() {
        return Stream.of(
                arguments(
                        "cancelling the task",
                        (Settle)
                                task ->
                                        queryOne(
                                                db,
                                                "SELECT tasker.cancel_task(?, 'why', 'ops')",
                                                String.class,
                                                task),
                        "cancelled",
                        "cancelled"),
                arguments(
                        "resolving the step",
                        (Settle) task -> operate(task, "first", "resolve_manually"),
                        "resolved_manually",
                        "resolved_manually"));
    }

    @ParameterizedTest(name = "{0} closes the attempt as {3}")
    @MethodSource("settlements")
    void settling_a_running_step_closes_its_attempt_with_the_reason(
            String how, Settle settle, String answer, String outcome) throws SQLException {
        UUID task = createTask();
        claim(task, "first");
        assertThat(settle.on(task)).isEqualTo(answer);
        assertThat(attempts(task, "first")).containsExactly(outcome);
        assertThat(openAttempts(task)).isZero();
    }

    @Test
    void the_staleness_sweep_closes_running_attempts_as_task_stale() throws SQLException {
        UUID task = createTask();
        claim(task, "first");
        update(
                db,
                "UPDATE tasker.tasks SET created_at = now() - interval '10 minutes' WHERE task_uuid = ?",
                task);
        assertThat(queryOne(db, "SELECT tasker.sweep_stale_tasks(100)", Integer.class))
                .isPositive();
        assertThat(taskState(task)).isEqualTo("error");
        assertThat(attempts(task, "first")).containsExactly("task_stale");
        assertThat(openAttempts(task)).isZero();
    }

    @Test
    void completing_a_running_step_closes_its_attempt_as_completed_manually() throws SQLException {
        UUID task = createTask();
        String claim = claim(task, "first");
        assertThat(operate(task, "first", "complete_manually")).isEqualTo("complete");
        assertThat(attempts(task, "first")).containsExactly("completed_manually");
        // The worker's late result neither reopens nor overwrites the closed attempt.
        assertThat(
                        Workflows.report(
                                db,
                                step(task, "first"),
                                ClaimTokens.of(claim),
                                "success",
                                "1",
                                null))
                .isEqualTo("rejected");
        assertThat(attempts(task, "first")).containsExactly("completed_manually");
    }

    // --- history -------------------------------------------------------------------------------

    @Test
    void the_transition_history_cannot_be_rewritten() throws SQLException {
        UUID task = createTask();
        // The connection is the owner (a superuser, even): the trigger refuses it all the same.
        assertRefused(
                HISTORY,
                "UPDATE tasker.task_transitions SET reason = 'rewritten' WHERE task_uuid = ?",
                task);
        assertRefused(
                HISTORY,
                "UPDATE tasker.workflow_step_transitions SET metadata = '{\"x\": 1}' WHERE task_uuid = ?",
                task);
        assertRefused(
                HISTORY,
                "UPDATE tasker.task_transitions SET most_recent = false, reason = 'x'"
                        + " WHERE task_uuid = ? AND most_recent",
                task);
        assertRefused(
                HISTORY,
                "UPDATE tasker.task_transitions SET most_recent = true WHERE task_uuid = ? AND NOT most_recent",
                task);
        assertRefused(HISTORY, "DELETE FROM tasker.task_transitions WHERE task_uuid = ?", task);
        assertRefused(
                HISTORY, "DELETE FROM tasker.workflow_step_transitions WHERE task_uuid = ?", task);
        assertRefused(HISTORY, "TRUNCATE tasker.workflow_step_transitions");
        assertRefused(TASK_DELETE, "DELETE FROM tasker.tasks WHERE task_uuid = ?", task);

        // The purge's setting, set by hand, does not open an unfinished task's history either.
        db.setAutoCommit(false);
        try {
            update(db, "SET LOCAL tasker.purging_finished_tasks = 'on'");
            assertRefused(HISTORY, "DELETE FROM tasker.task_transitions WHERE task_uuid = ?", task);
        } finally {
            db.rollback();
            db.setAutoCommit(true);
        }

        assertThat(
                        queryList(
                                db,
                                "SELECT to_state || ':' || coalesce(reason, '') FROM tasker.task_transitions"
                                        + " WHERE task_uuid = ? ORDER BY sort_key",
                                task))
                .containsExactly(
                        "pending:created",
                        "initializing:task_created",
                        "enqueuing_steps:steps_initialized",
                        "steps_in_process:root_steps_enqueued");
        // Clearing most_recent alone is the one change allowed (transition_task does it).
        assertThat(
                        update(
                                db,
                                "UPDATE tasker.task_transitions SET most_recent = false"
                                        + " WHERE task_uuid = ? AND most_recent",
                                task))
                .isEqualTo(1);
    }

    @Test
    void purge_removes_only_finished_tasks() throws SQLException {
        UUID complete = createTask();
        runStep(complete, "first");
        runStep(complete, "second");
        assertThat(taskState(complete)).isEqualTo("complete");
        UUID cancelled = createTask();
        claim(cancelled, "first");
        queryOne(db, "SELECT tasker.cancel_task(?, 'why', 'ops')", String.class, cancelled);
        UUID failed = createTask();
        String claim = claim(failed, "first");
        Workflows.report(
                db, step(failed, "first"), ClaimTokens.of(claim), "permanent_failure", null, "{}");
        Workflows.process(db, step(failed, "first"));
        assertThat(taskState(failed)).isEqualTo("error");
        UUID running = createTask();
        claim(running, "first");
        UUID recent = createTask();
        queryOne(db, "SELECT tasker.cancel_task(?, 'why', 'ops')", String.class, recent);
        // Old enough to purge: three finished tasks, and (inconsistently) the running one.
        for (UUID task : new UUID[] {complete, cancelled, failed, running}) {
            update(
                    db,
                    "UPDATE tasker.tasks SET completed_at = '2000-01-01' WHERE task_uuid = ?",
                    task);
        }

        assertThat(purge(2)).isEqualTo(2);
        assertThat(purge(2)).isEqualTo(1);
        assertThat(purge(2)).isZero();

        for (UUID gone : new UUID[] {complete, cancelled, failed}) {
            assertThat(count("tasker.tasks", gone)).isZero();
            assertThat(count("tasker.workflow_steps", gone)).isZero();
            assertThat(count("tasker.workflow_step_edges", gone)).isZero();
            assertThat(count("tasker.task_transitions", gone)).isZero();
            assertThat(count("tasker.workflow_step_transitions", gone)).isZero();
        }
        assertThat(
                        queryOne(
                                db,
                                "SELECT count(*) FROM tasker.workflow_step_attempts a"
                                        + " WHERE NOT EXISTS (SELECT 1 FROM tasker.workflow_steps s"
                                        + "                    WHERE s.workflow_step_uuid = a.workflow_step_uuid)",
                                Long.class))
                .isZero();
        for (UUID kept : new UUID[] {running, recent}) {
            assertThat(count("tasker.tasks", kept)).isEqualTo(1);
            assertThat(count("tasker.task_transitions", kept)).isPositive();
            assertThat(count("tasker.workflow_step_transitions", kept)).isPositive();
        }
        assertThat(taskState(running)).isEqualTo("steps_in_process");
        assertThat(purge(10000)).isZero();
        for (int outOfRange : new int[] {0, 10001}) {
            sqlStateOf(() -> purge(outOfRange)).isEqualTo("22023");
        }
        // The setting does not outlive the purge's transaction.
        assertRefused(TASK_DELETE, "DELETE FROM tasker.tasks WHERE task_uuid = ?", recent);
    }

    // --- helpers -------------------------------------------------------------------------------

    private static void assertRefused(String error, String sql, Object... args) {
        sqlStateOf(() -> update(db, sql, args), error).isEqualTo(IMMUTABLE);
    }

    private static UUID createTask() throws SQLException {
        return HISTORY_DB.createTask();
    }

    private static UUID step(UUID task, String name) throws SQLException {
        return HISTORY_DB.step(task, name);
    }

    private static String claim(UUID task, String name) throws SQLException {
        String claim = Workflows.claim(db, step(task, name), "w1", HISTORY_DB.queue());
        assertThat(claim).contains("\"status\": \"claimed\"");
        return claim;
    }

    private static void runStep(UUID task, String name) throws SQLException {
        Workflows.run(db, step(task, name), HISTORY_DB.queue(), "{}");
    }

    private static String operate(UUID task, String name, String action) throws SQLException {
        return queryOne(
                db,
                "SELECT tasker.operate_step(?, ?, ?, '{\"manual\": true}'::jsonb, 'ops', 'why')",
                String.class,
                task,
                step(task, name),
                action);
    }

    private static List<String> attempts(UUID task, String name) throws SQLException {
        return queryList(
                db,
                "SELECT outcome FROM tasker.workflow_step_attempts WHERE workflow_step_uuid = ?"
                        + " ORDER BY generation, attempt",
                step(task, name));
    }

    private static long openAttempts(UUID task) throws SQLException {
        return queryOne(
                db,
                "SELECT count(*) FROM tasker.workflow_step_attempts a"
                        + " JOIN tasker.workflow_steps s USING (workflow_step_uuid)"
                        + " WHERE s.task_uuid = ? AND a.outcome IS NULL",
                Long.class,
                task);
    }

    private static String taskState(UUID task) throws SQLException {
        return Workflows.taskState(db, task);
    }

    private static long count(String table, UUID task) throws SQLException {
        return queryOne(
                db, "SELECT count(*) FROM " + table + " WHERE task_uuid = ?", Long.class, task);
    }

    private static int purge(int limit) throws SQLException {
        return queryOne(
                db,
                "SELECT tasker.purge_finished_tasks('2001-01-01'::timestamptz, ?)",
                Integer.class,
                limit);
    }
}

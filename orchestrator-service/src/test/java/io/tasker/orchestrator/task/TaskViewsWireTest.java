package io.tasker.orchestrator.task;

import static io.restassured.RestAssured.given;
import static io.tasker.orchestrator.ApiCalls.getOk;
import static io.tasker.orchestrator.ApiCalls.postJson;
import static io.tasker.orchestrator.template.Templates.graph;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.StepState;
import io.tasker.messages.TaskState;
import io.tasker.messages.WireValue;
import io.tasker.messages.api.AttemptOutcome;
import io.tasker.orchestrator.DatabaseResource;
import io.tasker.orchestrator.Sql;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the API serves through the records is, value for value and text for text (timestamps, exact
 * numbers, nulls), the JSON view PostgreSQL builds: decoding the views into records and writing
 * them again changes nothing on the wire.
 */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class TaskViewsWireTest {

    @Inject Pool pool;

    @Test
    void task_steps_transitions_and_list_are_served_exactly_as_the_database_builds_them() {
        // Two steps, s1 depending on s0.
        postJson("/v1/templates", graph("wire_test", "order", 2, 1));
        String created =
                postJson(
                                "/v1/tasks",
                                """
                                {"namespace": "wire_test", "name": "order",
                                 "context": {"amount": 12.50, "big": 123456789012345678901234567890,
                                             "tiny": 1.0E-30, "text": "\\u00e9\\ud83d\\ude00"},
                                 "tags": ["a", "b"], "initiator": "wire-test"}
                                """)
                        .statusCode(201)
                        .extract()
                        .asString();
        UUID task = UUID.fromString(JsonSupport.parse(created).get("task_uuid").asText());
        UUID first = stepUuid(task, "s0");
        // A result with exact numbers, an error, an attempt with a finished time and a retry time:
        // every kind of member the step view has.
        sql(
                """
                UPDATE tasker.workflow_steps
                   SET results = '{"total": 12.50, "n": 1E+2, "list": [null, true, 0.000001]}'::jsonb,
                       last_error = '{"type": "Boom", "message": "it failed", "retryable": true}'::jsonb,
                       next_retry_at = now() + interval '90 seconds',
                       claimed_by = 'worker-1'
                 WHERE workflow_step_uuid = $1::uuid
                """,
                Tuple.of(first));
        sql(
                """
                INSERT INTO tasker.workflow_step_attempts
                    (workflow_step_uuid, generation, attempt, worker_id, finished_at, outcome, error)
                VALUES ($1::uuid, 0, 1, 'worker-1', clock_timestamp(), 'retryable_failure',
                        '{"type": "Boom", "message": "it failed", "retryable": true}'::jsonb)
                """,
                Tuple.of(first));
        given().queryParam("reason", "wire test")
                .delete("/v1/tasks/" + task)
                .then()
                .statusCode(200);

        assertSame(getOk("/v1/tasks/" + task), view(TaskQueries.TASK, Tuple.of(task, 30.0, 30.0)));
        assertSame(
                getOk("/v1/tasks/" + task + "/workflow_steps"),
                "{\"workflow_steps\":" + view(TaskQueries.STEPS, Tuple.of(task, null)) + "}");
        assertSame(
                getOk("/v1/tasks/" + task + "/workflow_steps/" + first),
                JsonSupport.write(
                        JsonSupport.parse(view(TaskQueries.STEPS, Tuple.of(task, first))).get(0)));
        assertSame(
                getOk("/v1/tasks/" + task + "/transitions"),
                view(TaskQueries.TRANSITIONS, Tuple.of(task)));
        String listed =
                view(
                        TaskQueries.LIST,
                        Tuple.tuple()
                                .addString("wire_test")
                                .addString(null)
                                .addString(null)
                                .addOffsetDateTime(null)
                                .addOffsetDateTime(null)
                                .addInteger(1)
                                .addInteger(0)
                                // every namespace: the admin credential is not limited
                                .addArrayOfString(null));
        assertSame(
                JsonSupport.write(
                        JsonSupport.parse(getOk("/v1/tasks?namespace=wire_test&limit=1"))
                                .get("tasks")
                                .get(0)),
                listed);
        // The served text holds PostgreSQL's timestamp form, offset written as +HH:MM.
        assertThat(JsonSupport.parse(getOk("/v1/tasks/" + task)).get("created_at").asText())
                .matches(
                        "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?[+-]\\d\\d:\\d\\d");
    }

    @Test
    void every_state_and_attempt_outcome_the_tables_allow_is_a_value_of_the_wire_enums() {
        assertThat(allowed("tasker.tasks", "current_state"))
                .hasSize(TaskState.values().length)
                .allSatisfy(
                        v ->
                                assertThat(WireValue.parse(TaskState.class, v, "task state").wire())
                                        .isEqualTo(v));
        assertThat(allowed("tasker.workflow_steps", "current_state"))
                .hasSize(StepState.values().length)
                .allSatisfy(
                        v ->
                                assertThat(WireValue.parse(StepState.class, v, "step state").wire())
                                        .isEqualTo(v));
        assertThat(allowed("tasker.workflow_step_attempts", "outcome"))
                .hasSize(AttemptOutcome.values().length)
                .allSatisfy(
                        v ->
                                assertThat(
                                                WireValue.parse(
                                                                AttemptOutcome.class,
                                                                v,
                                                                "attempt outcome")
                                                        .wire())
                                        .isEqualTo(v));
    }

    /** The values the CHECK constraint on {@code table.column} allows. */
    private List<String> allowed(String table, String column) {
        String check =
                Sql.firstRow(
                                pool,
                                """
                                SELECT pg_get_constraintdef(oid) FROM pg_constraint
                                 WHERE conrelid = $1::regclass AND contype = 'c'
                                   AND pg_get_constraintdef(oid) LIKE '%(' || $2 || ' %'
                                """,
                                Tuple.of(table, column))
                        .getString(0);
        return Pattern.compile("'([a-z_]+)'")
                .matcher(check)
                .results()
                .map(m -> m.group(1))
                .toList();
    }

    private UUID stepUuid(UUID task, String name) {
        String steps = getOk("/v1/tasks/" + task + "/workflow_steps");
        for (var step : JsonSupport.parse(steps).get("workflow_steps")) {
            if (step.get("name").asText().equals(name)) {
                return UUID.fromString(step.get("workflow_step_uuid").asText());
            }
        }
        throw new AssertionError("no step " + name + " in " + steps);
    }

    private String view(String sql, Tuple args) {
        return Sql.firstRow(pool, sql, args).getString(0);
    }

    private void sql(String sql, Tuple args) {
        pool.preparedQuery(sql).execute(args).await().atMost(Duration.ofSeconds(10));
    }

    /**
     * Equal documents: the same members (in any order) with the same values, numbers with their
     * scale (12.50 is not 12.5) and strings, timestamps among them, character for character.
     */
    private static void assertSame(String served, String built) {
        assertThat(JsonSupport.parse(served)).isEqualTo(JsonSupport.parse(built));
    }
}

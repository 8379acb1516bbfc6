package io.tasker.orchestrator.dlq;

import static io.restassured.RestAssured.given;
import static io.tasker.orchestrator.ApiCalls.getOk;
import static io.tasker.orchestrator.ApiCalls.patchJson;
import static io.tasker.orchestrator.ApiCalls.postJson;
import static io.tasker.orchestrator.ApiCalls.problem;
import static io.tasker.orchestrator.template.Templates.oneStep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.DatabaseResource;
import io.tasker.orchestrator.Sql;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** DLQ entries are served, listed and after an update, exactly as PostgreSQL builds them. */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class DlqViewsWireTest {

    @Inject Pool pool;

    @Test
    void the_list_takes_a_limit_of_1_to_500_and_refuses_0_and_501() {
        getOk("/v1/dlq?limit=1");
        getOk("/v1/dlq?limit=500");
        for (String limit : new String[] {"0", "501"}) {
            problem(given().get("/v1/dlq?limit=" + limit).then(), 400, "invalid_filter")
                    .body("detail", equalTo("limit must be between 1 and 500"));
        }
    }

    @Test
    void a_dlq_entry_is_served_as_the_database_builds_it_before_and_after_its_resolution() {
        postJson("/v1/templates", oneStep("dlq_wire", "order"));
        String created =
                postJson("/v1/tasks", "{\"namespace\": \"dlq_wire\", \"name\": \"order\"}")
                        .statusCode(201)
                        .extract()
                        .asString();
        UUID task = UUID.fromString(JsonSupport.parse(created).get("task_uuid").asText());
        UUID entry =
                Sql.firstRow(
                                pool,
                                """
                                INSERT INTO tasker.tasks_dlq (task_uuid, original_state, reason, snapshot)
                                VALUES ($1::uuid, 'steps_in_process', 'staleness_timeout',
                                        '{"task": {"status": "steps_in_process"}, "n": 2.50}'::jsonb)
                                RETURNING dlq_entry_uuid
                                """,
                                Tuple.of(task))
                        .getUUID(0);

        String listed = getOk("/v1/dlq?resolution_status=pending&limit=500");
        var served =
                java.util.stream.StreamSupport.stream(
                                JsonSupport.parse(listed).get("dlq_entries").spliterator(), false)
                        .filter(e -> e.get("dlq_entry_uuid").asText().equals(entry.toString()))
                        .findFirst()
                        .orElseThrow();
        assertThat(served).isEqualTo(JsonSupport.parse(view(entry)));

        String resolved =
                patchJson(
                                "/v1/dlq/" + entry,
                                "{\"resolution_status\": \"manually_resolved\","
                                        + " \"resolved_by\": \"ops\", \"resolution_notes\": \"done\"}")
                        .statusCode(200)
                        .extract()
                        .asString();
        assertThat(JsonSupport.parse(resolved)).isEqualTo(JsonSupport.parse(view(entry)));
        assertThat(JsonSupport.parse(resolved).get("resolution_status").asText())
                .isEqualTo("manually_resolved");
        assertThat(JsonSupport.parse(resolved).get("resolved_at").isTextual()).isTrue();
    }

    private String view(UUID entry) {
        return Sql.firstRow(
                        pool,
                        "SELECT "
                                + DlqResource.ENTRY_JSON
                                + "::text FROM tasker.tasks_dlq d WHERE d.dlq_entry_uuid = $1::uuid",
                        Tuple.of(entry))
                .getString(0);
    }
}

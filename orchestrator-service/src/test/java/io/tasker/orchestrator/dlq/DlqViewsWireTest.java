package io.tasker.orchestrator.dlq;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.DatabaseResource;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DLQ entries are served, listed and after an update, exactly as PostgreSQL builds them. */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class DlqViewsWireTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject Pool pool;

    @BeforeAll
    static void yamlIsText() {
        RestAssured.config =
                RestAssured.config()
                        .encoderConfig(
                                EncoderConfig.encoderConfig()
                                        .encodeContentTypeAs("application/yaml", ContentType.TEXT));
    }

    @Test
    void a_dlq_entry_is_served_as_the_database_builds_it_before_and_after_its_resolution() {
        given().contentType("application/yaml")
                .body(
                        """
                        namespace: dlq_wire
                        name: order
                        version: 1.0.0
                        steps:
                          - name: only
                            handler: examples.noop
                        """)
                .post("/v1/templates");
        String created =
                given().contentType("application/json")
                        .body("{\"namespace\": \"dlq_wire\", \"name\": \"order\"}")
                        .post("/v1/tasks")
                        .then()
                        .statusCode(201)
                        .extract()
                        .asString();
        UUID task = UUID.fromString(JsonSupport.parse(created).get("task_uuid").asText());
        UUID entry =
                pool.preparedQuery(
                                """
                                INSERT INTO tasker.tasks_dlq (task_uuid, original_state, reason, snapshot)
                                VALUES ($1::uuid, 'steps_in_process', 'staleness_timeout',
                                        '{"task": {"status": "steps_in_process"}, "n": 2.50}'::jsonb)
                                RETURNING dlq_entry_uuid
                                """)
                        .execute(Tuple.of(task))
                        .map(rows -> rows.iterator().next().getUUID(0))
                        .await()
                        .atMost(WAIT);

        String listed =
                given().get("/v1/dlq?resolution_status=pending&limit=500")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString();
        var served =
                java.util.stream.StreamSupport.stream(
                                JsonSupport.parse(listed).get("dlq_entries").spliterator(), false)
                        .filter(e -> e.get("dlq_entry_uuid").asText().equals(entry.toString()))
                        .findFirst()
                        .orElseThrow();
        assertThat(served).isEqualTo(JsonSupport.parse(view(entry)));

        String resolved =
                given().contentType("application/json")
                        .body(
                                "{\"resolution_status\": \"manually_resolved\","
                                        + " \"resolved_by\": \"ops\", \"resolution_notes\": \"done\"}")
                        .patch("/v1/dlq/" + entry)
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString();
        assertThat(JsonSupport.parse(resolved)).isEqualTo(JsonSupport.parse(view(entry)));
        assertThat(JsonSupport.parse(resolved).get("resolution_status").asText())
                .isEqualTo("manually_resolved");
        assertThat(JsonSupport.parse(resolved).get("resolved_at").isTextual()).isTrue();
    }

    private String view(UUID entry) {
        return pool.preparedQuery(
                        "SELECT "
                                + DlqResource.ENTRY_JSON
                                + "::text FROM tasker.tasks_dlq d WHERE d.dlq_entry_uuid = $1::uuid")
                .execute(Tuple.of(entry))
                .map(rows -> rows.iterator().next().getString(0))
                .await()
                .atMost(WAIT);
    }
}

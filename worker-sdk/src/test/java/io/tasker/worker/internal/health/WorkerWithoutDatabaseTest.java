package io.tasker.worker.internal.health;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.tasker.worker.internal.handler.HandlerRegistry;
import io.tasker.worker.internal.queue.StepConsumer;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An application on the SDK with nothing configured but an unreachable datasource and its
 * namespaces: it starts, finds its handlers, says in readiness why it is not ready, stays alive and
 * keeps retrying.
 */
@QuarkusTest
class WorkerWithoutDatabaseTest {

    private static final String WORKER_CHECK = "checks.find { it.name == 'tasker-worker' }";

    @Inject HandlerRegistry handlers;

    @Inject StepConsumer consumer;

    @Test
    void handlers_of_both_styles_are_found_at_start_though_nothing_injects_them() {
        assertThat(handlers.names()).containsExactly("probe.first", "probe.second", "probe.whole");
    }

    @Test
    void readiness_is_down_naming_the_unreachable_database_while_the_worker_stays_alive() {
        await("readiness names the database")
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () ->
                                given().get("/q/health/ready")
                                        .then()
                                        .log()
                                        .ifValidationFails()
                                        .statusCode(503)
                                        .body(WORKER_CHECK + ".data.database", equalTo("down"))
                                        .body(
                                                WORKER_CHECK + ".data.reason",
                                                startsWith("database unreachable: ")));
        await("the queue loop failed a poll and keeps running")
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () ->
                                assertThat(consumer.loops().values())
                                        .singleElement()
                                        .satisfies(
                                                loop -> {
                                                    assertThat(loop.isRunning()).isTrue();
                                                    assertThat(loop.lastFailure()).isNotNull();
                                                }));
        given().get("/q/health/live").then().statusCode(200);
    }
}

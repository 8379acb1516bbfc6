package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static io.tasker.orchestrator.RequestHardeningTest.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.tasker.orchestrator.queue.NamespaceBacklog;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A namespace whose queue is over its backlog limit refuses new tasks with 503 + Retry-After. */
@QuarkusTest
@TestProfile(OverloadTest.SmallBacklog.class)
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class OverloadTest {

    /** A backlog limit of two messages, refreshed often. */
    public static class SmallBacklog implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "tasker.api.max-namespace-backlog", "2",
                    "tasker.api.backlog-refresh-interval", "5s",
                    "tasker.api.overload-retry-after", "3s");
        }
    }

    @Inject NamespaceBacklog backlog;

    @Test
    void a_backlog_over_the_limit_is_a_503_with_retry_after_and_writes_no_task() {
        register("busy");
        register("calm");
        create("busy").statusCode(201);
        create("busy").statusCode(201);
        awaitBacklog("busy", 2);
        // At the limit itself a task is still taken.
        create("busy").statusCode(201);
        awaitBacklog("busy", 3);

        Map<String, String> before = Sql.fingerprint();
        problem(create("busy"), 503, "namespace_backlog_exceeded")
                .header("Retry-After", "3")
                .body("retryable", equalTo(true))
                .body("detail", containsString("tasker.api.max-namespace-backlog"));
        assertThat(Sql.fingerprint()).isEqualTo(before);

        // Other namespaces are not held back by a busy one.
        create("calm").statusCode(201);
    }

    private void awaitBacklog(String namespace, long length) {
        await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> {
                            backlog.refresh();
                            return backlog.lastSeen(namespace);
                        },
                        Optional.of(length)::equals);
    }

    private static void register(String namespace) {
        given().contentType("application/json")
                .body(
                        "{\"namespace\": \""
                                + namespace
                                + "\", \"name\": \"one\", \"version\": \"1.0.0\","
                                + " \"identity_strategy\": \"always_unique\","
                                + " \"steps\": [{\"name\": \"a\", \"handler\": \"examples.noop\"}]}")
                .post("/v1/templates")
                .then()
                .statusCode(anyOf(equalTo(200), equalTo(201)));
    }

    private static ValidatableResponse create(String namespace) {
        return given().contentType("application/json")
                .body("{\"namespace\": \"" + namespace + "\", \"name\": \"one\"}")
                .post("/v1/tasks")
                .then();
    }
}

package io.tasker.orchestrator;

import static io.tasker.orchestrator.ApiCalls.postJson;
import static io.tasker.orchestrator.ApiCalls.problem;
import static io.tasker.orchestrator.ApiCalls.registerTemplate;
import static io.tasker.orchestrator.template.Templates.oneStep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
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
    public static class SmallBacklog extends ConfigProfile {}

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

        // Other namespaces are not held back by a busy one...
        create("calm").statusCode(201);

        // ...unless one of their steps runs in it (a step's own namespace).
        ObjectNode mixed = oneStep("calm", "mixed").put("identity_strategy", "always_unique");
        ((ObjectNode) mixed.withArray("steps").get(0)).put("namespace", "busy");
        registerTemplate(mixed);
        Map<String, String> beforeMixed = Sql.fingerprint();
        problem(
                postJson("/v1/tasks", "{\"namespace\": \"calm\", \"name\": \"mixed\"}"),
                503,
                "namespace_backlog_exceeded");
        assertThat(Sql.fingerprint()).isEqualTo(beforeMixed);
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
        registerTemplate(oneStep(namespace, "one").put("identity_strategy", "always_unique"));
    }

    private static ValidatableResponse create(String namespace) {
        return postJson("/v1/tasks", "{\"namespace\": \"" + namespace + "\", \"name\": \"one\"}");
    }
}

package io.tasker.orchestrator;

import static io.tasker.orchestrator.ApiCalls.createTask;
import static io.tasker.orchestrator.ApiCalls.registerTemplate;
import static io.tasker.orchestrator.template.Templates.oneStep;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * With every pool connection taken and the wait queue full, task creation answers 503 with
 * Retry-After at once; never a 500 or a hang.
 */
@QuarkusTest
@TestProfile(PoolExhaustionTest.OneConnection.class)
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class PoolExhaustionTest {

    /**
     * One connection, one waiter at most, a short acquisition timeout, nothing in the background.
     */
    public static class OneConnection extends ConfigProfile {}

    @Inject Pool pool;

    @Test
    void an_exhausted_pool_is_a_503_with_retry_after_and_writes_no_task() throws Exception {
        registerTemplate(oneStep("pool", "one"));
        long before = Sql.count("SELECT count(*) FROM tasker.tasks");

        SqlConnection held = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        List<Response> answers;
        try {
            // Two at once: neither may wait.
            CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> create(1));
            CompletableFuture<Response> second = CompletableFuture.supplyAsync(() -> create(2));
            answers = List.of(first.get(), second.get());
        } finally {
            held.closeAndAwait();
        }
        for (Response r : answers) {
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.header("Retry-After")).isEqualTo("2");
            assertThat(r.<String>path("code")).isEqualTo("database_busy");
            assertThat(r.<Integer>path("status")).isEqualTo(503);
        }
        assertThat(Sql.count("SELECT count(*) FROM tasker.tasks")).isEqualTo(before);

        // With the connection back, the same request succeeds.
        assertThat(create(1).statusCode()).isEqualTo(201);
    }

    private static Response create(int n) {
        return createTask("pool", "one", "{\"n\": " + n + "}").extract().response();
    }
}

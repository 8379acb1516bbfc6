package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.tasker.orchestrator.AdminCredential.OwnCredentials;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-caller write limit at its edge: {@code burst} writes go through, the next is a 429
 * problem with Retry-After and writes nothing; reads are not limited; each caller has its own
 * budget.
 */
@QuarkusTest
@TestProfile(RateLimitTest.ThreeWrites.class)
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
@OwnCredentials
class RateLimitTest {

    /** Three writes at once, then one every 100 s. */
    public static class ThreeWrites extends ConfigProfile {}

    private static Response write(String key) {
        // An invalid task request: a write that the limit counts, answered 400 when let through.
        return Credentials.as(key).contentType("application/json").body("{}").post("/v1/tasks");
    }

    @Test
    void the_write_after_the_burst_is_a_429_with_retry_after_and_reads_go_on() {
        String key = Credentials.createKey("busy", List.of("tasks.write", "tasks.read"), null);
        for (int i = 0; i < 3; i++) {
            assertThat(write(key).statusCode()).as("write %d", i + 1).isEqualTo(400);
        }
        long tasks = Sql.count("SELECT count(*) FROM tasker.tasks");
        Response limited = write(key);
        limited.then()
                .statusCode(429)
                .contentType("application/problem+json")
                .body("code", equalTo("rate_limited"))
                .body("retryable", equalTo(true));
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 100L);
        assertThat(Sql.count("SELECT count(*) FROM tasker.tasks")).isEqualTo(tasks);

        Credentials.as(key).get("/v1/tasks").then().statusCode(200);

        String other = Credentials.createKey("quiet", List.of("tasks.write"), null);
        assertThat(write(other).statusCode()).isEqualTo(400);
        given().contentType("application/json").body("{}").post("/v1/tasks").then().statusCode(401);
    }
}

package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tasker.orchestrator.AdminCredential.OwnCredentials;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * API keys through the admin endpoints: shown once, stored only as an HMAC, listed without the key,
 * revoked without a restart (on this replica at once; on another one through the database's
 * notification), refused once expired, their use recorded.
 */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
@OwnCredentials
class ApiKeyLifecycleTest {

    @Test
    void a_created_key_is_shown_once_stored_as_an_hmac_and_listed_without_it() {
        var created =
                Credentials.postKey(Map.of("name", "reporting", "roles", List.of("tasks.read")))
                        .statusCode(201)
                        .header("Location", matchesPattern(".*/v1/api-keys/[0-9a-f-]{36}"))
                        .body("key", matchesPattern("tk_[0-9a-f]{12}_[A-Za-z0-9_-]{32}"))
                        .body("api_key.name", equalTo("reporting"))
                        .body("api_key.roles", equalTo(List.of("tasks.read")))
                        .body("api_key.namespaces", nullValue())
                        .body("api_key.created_by", equalTo("key:bootstrap-admin"))
                        .extract();
        String key = created.path("key");
        String prefix = created.path("api_key.prefix");
        assertThat(key).startsWith("tk_" + prefix + "_");
        assertThat(
                        Sql.count(
                                "SELECT count(*) FROM tasker.api_keys WHERE prefix = '"
                                        + prefix
                                        + "'"))
                .isEqualTo(1);
        assertThat(
                        Sql.count(
                                "SELECT count(*) FROM tasker.api_keys WHERE prefix = '"
                                        + prefix
                                        + "' AND length(key_hmac) = 32"
                                        + " AND position(convert_to('"
                                        + key
                                        + "', 'UTF8') IN key_hmac) = 0"))
                .as("only a 32-byte HMAC is stored")
                .isEqualTo(1);
        String listed =
                Credentials.asAdmin()
                        .get("/v1/api-keys")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString();
        assertThat(listed).contains(prefix).doesNotContain(key);

        Credentials.as(key).get("/v1/tasks").then().statusCode(200);
    }

    @Test
    void a_revoked_key_is_refused_at_once_without_a_restart() {
        var created =
                Credentials.postKey(Map.of("name", "to-revoke", "roles", List.of("tasks.read")))
                        .statusCode(201)
                        .extract();
        String key = created.path("key");
        String id = created.path("api_key.api_key_uuid");
        Credentials.as(key).get("/v1/tasks").then().statusCode(200);

        Credentials.asAdmin()
                .delete("/v1/api-keys/" + id)
                .then()
                .statusCode(200)
                .body("revoked_at", notNullValue());

        Credentials.as(key).get("/v1/tasks").then().statusCode(401);
        // The name is free again for the rotated key.
        Credentials.createKey("to-revoke", List.of("tasks.read"), null);
    }

    @Test
    void a_key_revoked_by_another_replica_is_refused_here_through_the_notification() {
        String key = Credentials.createKey("revoked-elsewhere", List.of("tasks.read"), null);
        // Verified once: now in this replica's cache.
        Credentials.as(key).get("/v1/tasks").then().statusCode(200);

        // What another orchestrator's revocation does: the row changes, the trigger notifies.
        Sql.execute(
                "UPDATE tasker.api_keys SET revoked_at = now() WHERE name = 'revoked-elsewhere'");

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> Credentials.as(key).get("/v1/tasks").then().statusCode(401));
    }

    @Test
    void an_expired_key_is_refused() {
        var created =
                Credentials.postKey(
                                Map.of(
                                        "name",
                                        "short-lived",
                                        "roles",
                                        List.of("tasks.read"),
                                        "expires_at",
                                        OffsetDateTime.now().plusHours(1).toString()))
                        .statusCode(201)
                        .extract();
        String key = created.path("key");
        Credentials.as(key).get("/v1/tasks").then().statusCode(200);

        Sql.execute(
                "UPDATE tasker.api_keys SET expires_at = now() - interval '1 second'"
                        + " WHERE name = 'short-lived'");

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> Credentials.as(key).get("/v1/tasks").then().statusCode(401));
    }

    @Test
    void the_use_of_a_key_is_recorded() {
        String key = Credentials.createKey("used", List.of("tasks.read"), null);
        Credentials.as(key).get("/v1/tasks").then().statusCode(200);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () ->
                                Credentials.asAdmin()
                                        .get("/v1/api-keys")
                                        .then()
                                        .body(
                                                "api_keys.find { it.name == 'used' }.last_used_at",
                                                notNullValue()));
    }

    @Test
    void invalid_requests_list_every_problem_and_a_taken_name_is_a_conflict() {
        Credentials.postKey(
                        Map.of(
                                "name",
                                "",
                                "roles",
                                List.of("tasks.read", "superuser"),
                                "namespaces",
                                List.of("Bad-Namespace"),
                                "expires_at",
                                "2001-01-01T00:00:00Z",
                                "colour",
                                "red"))
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("invalid_request"))
                .body("errors.size()", equalTo(5));
        Credentials.createKey("taken", List.of("tasks.read"), null);
        Credentials.postKey(Map.of("name", "taken", "roles", List.of("tasks.read")))
                .statusCode(409)
                .body("code", equalTo("api_key_name_taken"));
        Credentials.asAdmin()
                .delete("/v1/api-keys/0191a3f0-0000-7000-8000-000000000000")
                .then()
                .statusCode(404)
                .body("code", equalTo("api_key_not_found"));
    }

    @Test
    void a_key_limited_to_namespaces_cannot_hand_out_more() {
        String scopedAdmin =
                Credentials.createKey("team-admin", List.of("admin"), List.of("team_a"));
        Credentials.as(scopedAdmin)
                .contentType("application/json")
                .body(Map.of("name", "everything", "roles", List.of("tasks.read")))
                .post("/v1/api-keys")
                .then()
                .statusCode(403)
                .body("code", equalTo("namespace_not_allowed"));
        Credentials.as(scopedAdmin)
                .contentType("application/json")
                .body(
                        Map.of(
                                "name",
                                "team-a-reader",
                                "roles",
                                List.of("tasks.read"),
                                "namespaces",
                                List.of("team_a")))
                .post("/v1/api-keys")
                .then()
                .statusCode(201);
        Credentials.asAdmin()
                .get("/v1/api-keys")
                .then()
                .body("api_keys.name", hasItem("team-a-reader"))
                .body("api_keys.name", not(hasItem("everything")));
    }

    @Test
    void a_credential_lacking_the_role_writes_nothing() {
        String reader =
                Credentials.createKey("reader-nothing-written", List.of("tasks.read"), null);
        Credentials.as(reader).get("/v1/tasks").then().statusCode(200);
        await().atMost(Duration.ofSeconds(5))
                .until(
                        () ->
                                Sql.count(
                                                "SELECT count(*) FROM tasker.api_keys WHERE name ="
                                                        + " 'reader-nothing-written' AND last_used_at"
                                                        + " IS NOT NULL")
                                        == 1);
        Map<String, String> before = Sql.fingerprint();
        Credentials.postTask(reader, "{\"namespace\": \"anything\", \"name\": \"t\"}")
                .statusCode(403)
                .body("required_role", equalTo("tasks.write"));
        given().contentType("application/json")
                .body("{\"namespace\": \"anything\", \"name\": \"t\"}")
                .post("/v1/tasks")
                .then()
                .statusCode(401);
        assertThat(Sql.fingerprint()).isEqualTo(before);
    }
}

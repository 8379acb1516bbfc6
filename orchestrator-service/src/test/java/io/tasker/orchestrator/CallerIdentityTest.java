package io.tasker.orchestrator;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.AdminCredential.OwnCredentials;
import io.tasker.orchestrator.auth.Roles;
import io.tasker.orchestrator.template.Templates;
import java.security.PrivateKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who the orchestrator records and what it lets a caller see: the actor of every operator action is
 * the authenticated caller (key name or JWT subject) whatever the body claims, and a credential
 * limited to namespaces neither reads, creates, operates nor lists another namespace's tasks.
 */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = JwtKeys.class, restrictToAnnotatedClass = true)
@OwnCredentials
class CallerIdentityTest {

    /** Injected by {@link JwtKeys}. */
    PrivateKey signingKey;

    @BeforeEach
    void templates() {
        for (String namespace : List.of("team_a", "team_b")) {
            Credentials.asAdmin()
                    .contentType("application/json")
                    .body(JsonSupport.write(Templates.graph(namespace, "flow", 2, 1)))
                    .post("/v1/templates")
                    .then()
                    .statusCode(org.hamcrest.Matchers.anyOf(equalTo(200), equalTo(201)));
        }
    }

    private static String createTask(String credential, String namespace) {
        return Credentials.postTask(
                        credential,
                        Map.of(
                                "namespace",
                                namespace,
                                "name",
                                "flow",
                                // A context of its own: the identity strategy is strict.
                                "context",
                                Map.of("n", UUID.randomUUID().toString())))
                .statusCode(201)
                .extract()
                .path("task_uuid");
    }

    @Test
    void the_actor_of_a_cancel_is_the_key_even_when_the_caller_claims_another() {
        String operator =
                Credentials.createKey(
                        "night-shift", List.of(Roles.TASKS_WRITE, Roles.TASKS_OPERATE), null);
        String task = createTask(operator, "team_a");
        Credentials.as(operator)
                .queryParam("reason", "customer withdrew")
                .queryParam("actor", "mallory")
                .delete("/v1/tasks/" + task)
                .then()
                .statusCode(200);
        Credentials.asAdmin()
                .get("/v1/tasks/" + task + "/transitions")
                .then()
                .body("task_transitions[-1].to_state", equalTo("cancelled"))
                .body("task_transitions[-1].metadata.actor", equalTo("key:night-shift"))
                .body(
                        "task_transitions[-1].metadata.reason",
                        equalTo("customer withdrew (on behalf of mallory)"));
    }

    @Test
    void the_actor_of_a_step_resolve_is_the_jwt_subject_even_when_the_body_claims_another() {
        String token =
                Credentials.jwt(
                        signingKey,
                        "alice",
                        Set.of(Roles.TASKS_WRITE, Roles.TASKS_READ, Roles.TASKS_OPERATE),
                        null);
        String task = createTask(token, "team_a");
        String step =
                Credentials.as(token)
                        .get("/v1/tasks/" + task + "/workflow_steps")
                        .then()
                        .statusCode(200)
                        .extract()
                        .path("workflow_steps[0].workflow_step_uuid");
        Credentials.as(token)
                .contentType("application/json")
                .body(
                        Map.of(
                                "action",
                                "resolve_manually",
                                "actor",
                                "mallory",
                                "reason",
                                "fixed by hand"))
                .patch("/v1/tasks/" + task + "/workflow_steps/" + step)
                .then()
                .statusCode(200)
                .body("status", equalTo("resolved_manually"));
        Credentials.as(token)
                .get("/v1/tasks/" + task + "/transitions")
                .then()
                .body(
                        "step_transitions.find { it.to_state == 'resolved_manually' }.metadata.actor",
                        equalTo("jwt:alice"))
                .body(
                        "step_transitions.find { it.to_state == 'resolved_manually' }.metadata.reason",
                        equalTo("fixed by hand (on behalf of mallory)"));
    }

    @Test
    void a_key_limited_to_a_namespace_cannot_touch_another_ones_tasks() {
        String teamA =
                Credentials.createKey(
                        "team-a",
                        List.of(Roles.TASKS_READ, Roles.TASKS_WRITE, Roles.TASKS_OPERATE),
                        List.of("team_a"));
        String admin = io.tasker.orchestrator.AdminCredential.adminKey();
        String theirs = createTask(admin, "team_b");
        String mine = createTask(teamA, "team_a");

        Credentials.postTask(teamA, Map.of("namespace", "team_b", "name", "flow"))
                .statusCode(403)
                .body("code", equalTo("namespace_not_allowed"));
        for (String path :
                List.of(
                        "/v1/tasks/" + theirs,
                        "/v1/tasks/" + theirs + "/workflow_steps",
                        "/v1/tasks/" + theirs + "/transitions")) {
            Credentials.as(teamA).get(path).then().statusCode(404);
        }
        Credentials.as(teamA).delete("/v1/tasks/" + theirs).then().statusCode(404);
        Credentials.asAdmin()
                .get("/v1/tasks/" + theirs)
                .then()
                .body("status", not(equalTo("cancelled")));

        Credentials.as(teamA)
                .get("/v1/tasks")
                .then()
                .statusCode(200)
                .body("tasks.namespace", everyItem(equalTo("team_a")))
                .body("tasks.task_uuid", hasItem(mine));
        Credentials.as(teamA)
                .queryParam("namespace", "team_b")
                .get("/v1/tasks")
                .then()
                .body("tasks.size()", equalTo(0));
        Credentials.as(teamA)
                .get("/v1/templates")
                .then()
                .body("templates.namespace", everyItem(equalTo("team_a")));
        Credentials.as(teamA).get("/v1/templates/team_b/flow/1.0.0").then().statusCode(404);
        Credentials.as(teamA).get("/v1/tasks/" + mine).then().statusCode(200);
    }

    @Test
    void a_jwt_namespaces_claim_limits_it_like_a_key() {
        String token =
                Credentials.jwt(
                        signingKey,
                        "bob",
                        Set.of(Roles.TASKS_READ, Roles.TASKS_WRITE),
                        List.of("team_b"));
        Credentials.postTask(token, Map.of("namespace", "team_a", "name", "flow"))
                .statusCode(403)
                .body("code", equalTo("namespace_not_allowed"));
        String mine = createTask(token, "team_b");
        Credentials.as(token)
                .get("/v1/tasks")
                .then()
                .body("tasks.namespace", everyItem(equalTo("team_b")))
                .body("tasks.task_uuid", hasItem(mine));
    }
}

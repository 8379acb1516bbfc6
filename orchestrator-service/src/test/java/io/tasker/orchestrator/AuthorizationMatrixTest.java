package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.tasker.orchestrator.AdminCredential.OwnCredentials;
import io.tasker.orchestrator.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import java.lang.reflect.Method;
import java.security.PrivateKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint the application serves has an explicit rule, and the rule holds for API keys and
 * for JWTs: without a credential 401, with a credential lacking the role 403 naming it, with the
 * role neither. The endpoints are found by scanning the resources ({@link ServedEndpoints}), so a
 * new endpoint fails here until it is given a role and added to the matrix (docs/security.md).
 */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = JwtKeys.class, restrictToAnnotatedClass = true)
@OwnCredentials
class AuthorizationMatrixTest {

    /** The role matrix of docs/security.md: "METHOD /path" → the roles that may call it. */
    private static final Map<String, Set<String>> MATRIX =
            new TreeMap<>(
                    Map.ofEntries(
                            rule("POST /v1/tasks", Roles.TASKS_WRITE),
                            rule("GET /v1/tasks", Roles.TASKS_READ),
                            rule("GET /v1/tasks/{task_uuid}", Roles.TASKS_READ),
                            rule("DELETE /v1/tasks/{task_uuid}", Roles.TASKS_OPERATE),
                            rule("GET /v1/tasks/{task_uuid}/transitions", Roles.TASKS_READ),
                            rule("GET /v1/tasks/{task_uuid}/workflow_steps", Roles.TASKS_READ),
                            rule(
                                    "GET /v1/tasks/{task_uuid}/workflow_steps/{step_uuid}",
                                    Roles.TASKS_READ),
                            rule(
                                    "PATCH /v1/tasks/{task_uuid}/workflow_steps/{step_uuid}",
                                    Roles.TASKS_OPERATE),
                            rule("POST /v1/templates", Roles.TEMPLATES_WRITE),
                            rule("GET /v1/templates", Roles.TASKS_READ),
                            rule(
                                    "GET /v1/templates/schema",
                                    Roles.TASKS_READ,
                                    Roles.TEMPLATES_WRITE),
                            rule(
                                    "GET /v1/templates/{namespace}/{name}/{version}",
                                    Roles.TASKS_READ),
                            rule("GET /v1/queues", Roles.TASKS_READ),
                            rule("GET /v1/workers", Roles.TASKS_READ),
                            rule("GET /v1/dlq", Roles.TASKS_READ),
                            rule("PATCH /v1/dlq/{entry_uuid}", Roles.TASKS_OPERATE),
                            rule("POST /v1/api-keys", Roles.ADMIN),
                            rule("GET /v1/api-keys", Roles.ADMIN),
                            rule("DELETE /v1/api-keys/{api_key_uuid}", Roles.ADMIN)));

    /** The routes outside JAX-RS on the API port, open without a credential. */
    private static final List<String> PUBLIC_ROUTES = List.of("/q/openapi", "/q/swagger-ui");

    private static final List<String> GRANTED =
            List.of(
                    Roles.TASKS_READ,
                    Roles.TASKS_WRITE,
                    Roles.TASKS_OPERATE,
                    Roles.TEMPLATES_WRITE);

    /** Injected by {@link JwtKeys}. */
    PrivateKey signingKey;

    private static Map<String, String> keys;

    @BeforeEach
    void oneKeyPerRole() {
        if (keys == null) {
            Map<String, String> made = new TreeMap<>();
            for (String role : Roles.ALL) {
                made.put(role, Credentials.createKey("matrix-" + role, List.of(role), null));
            }
            keys = made;
        }
    }

    @Test
    void every_served_endpoint_has_an_explicit_rule_and_it_is_the_documented_one()
            throws Exception {
        Map<String, Method> served = ServedEndpoints.all();
        assertThat(served.keySet())
                .as("endpoints served vs. the role matrix")
                .containsExactlyInAnyOrderElementsOf(MATRIX.keySet());
        for (Map.Entry<String, Method> e : served.entrySet()) {
            assertThat(Set.of(rolesOf(e.getValue())))
                    .as("@RolesAllowed of %s", e.getKey())
                    .isEqualTo(MATRIX.get(e.getKey()));
        }
    }

    @Test
    void api_keys_get_401_without_a_credential_403_without_the_role_and_through_with_it() {
        for (Map.Entry<String, Set<String>> rule : MATRIX.entrySet()) {
            checkRule(rule.getKey(), rule.getValue(), role -> keys.get(role));
        }
    }

    @Test
    void jwts_get_401_without_a_credential_403_without_the_role_and_through_with_it() {
        for (Map.Entry<String, Set<String>> rule : MATRIX.entrySet()) {
            checkRule(
                    rule.getKey(),
                    rule.getValue(),
                    role -> Credentials.jwt(signingKey, "alice", Set.of(role), null));
        }
    }

    @Test
    void the_same_key_works_in_the_x_api_key_header_and_admin_has_every_role() {
        given().header("X-API-Key", keys.get(Roles.TASKS_READ))
                .get("/v1/tasks")
                .then()
                .statusCode(200);
        Credentials.as(keys.get(Roles.ADMIN)).get("/v1/queues").then().statusCode(200);
        Credentials.as(Credentials.jwt(signingKey, "root", Set.of(Roles.ADMIN), null))
                .get("/v1/dlq")
                .then()
                .statusCode(200);
    }

    @Test
    void bad_credentials_are_401_problems_that_do_not_say_what_was_wrong() {
        String unknown = "tk_0123456789ab_" + "A".repeat(32);
        String wrongSecret = keys.get(Roles.TASKS_READ).substring(0, 16) + "B".repeat(32);
        String otherIssuer =
                io.smallrye.jwt.build.Jwt.issuer("https://elsewhere")
                        .subject("eve")
                        .groups(Set.of(Roles.ADMIN))
                        .sign(signingKey);
        for (String credential :
                List.of("tk_short", unknown, wrongSecret, "not-a-jwt", otherIssuer)) {
            unauthenticated(Credentials.as(credential).get("/v1/tasks"), "GET /v1/tasks");
        }
        unauthenticated(given().header("X-API-Key", unknown).get("/v1/tasks"), "X-API-Key unknown");
    }

    @Test
    void the_routes_outside_jax_rs_on_the_api_port_are_public_by_rule() {
        for (String route : PUBLIC_ROUTES) {
            given().get(route).then().statusCode(200);
        }
    }

    private void checkRule(
            String endpoint, Set<String> allowed, Function<String, String> credentialFor) {
        unauthenticated(call(given(), endpoint), endpoint);
        String lacking =
                GRANTED.stream().filter(r -> !allowed.contains(r)).findFirst().orElseThrow();
        Response forbidden = call(Credentials.as(credentialFor.apply(lacking)), endpoint);
        assertThat(forbidden.statusCode()).as("%s with %s", endpoint, lacking).isEqualTo(403);
        forbidden
                .then()
                .contentType("application/problem+json")
                .body("code", equalTo("missing_role"))
                .body("required_role", equalTo(String.join(" or ", requiredOrder(endpoint))));
        for (String role : allowed) {
            Response through = call(Credentials.as(credentialFor.apply(role)), endpoint);
            assertThat(through.statusCode())
                    .as("%s with %s: %s", endpoint, role, through.asString())
                    .isNotIn(401, 403);
        }
    }

    private static void unauthenticated(Response response, String what) {
        assertThat(response.statusCode()).as("%s without a valid credential", what).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).as(what).startsWith("Bearer");
        response.then()
                .contentType("application/problem+json")
                .body("code", equalTo("unauthenticated"))
                .body("status", equalTo(401));
    }

    /** Calls the endpoint with made-up path values and, for writes, an (invalid) empty body. */
    private static Response call(RequestSpecification request, String endpoint) {
        String method = endpoint.substring(0, endpoint.indexOf(' '));
        String path =
                endpoint.substring(endpoint.indexOf(' ') + 1)
                        .replaceAll("\\{[a-z_]+_uuid}", UUID.randomUUID().toString())
                        .replace("{namespace}", "matrix")
                        .replace("{name}", "t")
                        .replace("{version}", "1.0.0");
        if (method.equals("POST") || method.equals("PATCH")) {
            request = request.contentType("application/json").body("{}");
        }
        return request.request(method, path);
    }

    private static String[] requiredOrder(String endpoint) {
        try {
            return rolesOf(ServedEndpoints.all().get(endpoint));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String[] rolesOf(Method method) {
        RolesAllowed roles = method.getAnnotation(RolesAllowed.class);
        if (roles == null) {
            roles = method.getDeclaringClass().getAnnotation(RolesAllowed.class);
        }
        assertThat(roles)
                .as("%s.%s has @RolesAllowed", method.getDeclaringClass(), method.getName())
                .isNotNull();
        return roles.value();
    }

    private static Map.Entry<String, Set<String>> rule(String endpoint, String... roles) {
        return Map.entry(endpoint, Set.of(roles));
    }
}

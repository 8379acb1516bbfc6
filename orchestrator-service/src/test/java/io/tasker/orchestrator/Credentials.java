package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;

import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import java.security.PrivateKey;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Keys made through the admin API and JWTs signed by the test, for the auth tests. */
final class Credentials {

    private Credentials() {}

    /** A request carrying the test profile's bootstrap admin key. */
    static RequestSpecification asAdmin() {
        return as(AdminCredential.adminKey());
    }

    /** A request carrying a credential as a bearer token (an API key or a JWT). */
    static RequestSpecification as(String credential) {
        return given().header("Authorization", "Bearer " + credential);
    }

    /** Creates a key through {@code POST /v1/api-keys}; namespaces null = every namespace. */
    static String createKey(String name, List<String> roles, List<String> namespaces) {
        Map<String, Object> body =
                namespaces == null
                        ? Map.of("name", name, "roles", roles)
                        : Map.of("name", name, "roles", roles, "namespaces", namespaces);
        return postKey(body).statusCode(201).extract().path("key");
    }

    /** {@code POST /v1/api-keys} of a body (a map or a string) as the admin. */
    static ValidatableResponse postKey(Object body) {
        return asAdmin().contentType("application/json").body(body).post("/v1/api-keys").then();
    }

    /** {@code POST /v1/tasks} of a body (a map or a string) with a credential. */
    static ValidatableResponse postTask(String credential, Object body) {
        return as(credential).contentType("application/json").body(body).post("/v1/tasks").then();
    }

    /** A JWT of the test's issuer for {@code subject} with these roles (groups claim). */
    static String jwt(PrivateKey key, String subject, Set<String> roles, List<String> namespaces) {
        var claims = Jwt.issuer(JwtKeys.ISSUER).subject(subject).upn(subject).groups(roles);
        if (namespaces != null) {
            claims.claim("tasker_namespaces", namespaces);
        }
        return claims.sign(key);
    }
}

package io.tasker.orchestrator;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Gives every {@code @QuarkusTest} request the test profile's bootstrap admin key ({@code
 * tasker.auth.bootstrap-admin-key}), so that tests that are not about auth need no credential code;
 * a test class annotated {@link OwnCredentials} sends exactly the credentials it chooses.
 */
public class AdminCredential implements QuarkusTestBeforeEachCallback {

    /** The test class sends its own credentials: no default one. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface OwnCredentials {}

    /** The admin key of the test profile. */
    public static String adminKey() {
        return ConfigProvider.getConfig().getValue("tasker.auth.bootstrap-admin-key", String.class);
    }

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        Class<?> test = context.getTestInstance().getClass();
        boolean own = false;
        for (Class<?> c = test; c != null && !own; c = c.getEnclosingClass()) {
            own = c.isAnnotationPresent(OwnCredentials.class);
        }
        // A filter, not a default request specification: a specification would also fix the
        // port, which Quarkus sets on RestAssured only after this callback.
        RestAssured.replaceFiltersWith(own ? List.of() : List.of(ADMIN));
    }

    /** Adds the admin key to a request that carries no credential of its own. */
    private static final Filter ADMIN =
            (request, response, context) -> {
                if (!request.getHeaders().hasHeaderWithName("Authorization")
                        && !request.getHeaders().hasHeaderWithName("X-API-Key")) {
                    request.header("Authorization", "Bearer " + adminKey());
                }
                return context.next(request, response);
            };
}

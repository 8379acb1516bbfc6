package io.tasker.orchestrator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.api.Problem;
import io.tasker.orchestrator.auth.ApiKeyAuthenticationMechanism;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into an RFC 9457 {@code application/problem+json} body. */
public class ProblemMapper {

    public static final String PROBLEM_JSON = "application/problem+json";
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    // The SQL client's message when a statement waited longer than the pool's connection timeout.
    private static final String POOL_TIMEOUT = "Timeout waiting for connection";

    private final OrchestratorConfig config;

    public ProblemMapper(OrchestratorConfig config) {
        this.config = config;
    }

    @ServerExceptionMapper
    public Response mapApi(ApiException e, UriInfo uri) {
        LOG.warnf("%s %s: %s %s", e.status(), uri.getPath(), e.code(), e.getMessage());
        Response.ResponseBuilder response =
                Response.status(e.status()).type(PROBLEM_JSON).entity(problem(e, uri.getPath()));
        if (e.retryAfterSeconds() != null) {
            response.header("Retry-After", e.retryAfterSeconds());
        }
        return response.build();
    }

    /** The problem document of an API failure at the given request path. */
    public static Problem problem(ApiException e, String instance) {
        Map<String, JsonNode> extensions = new LinkedHashMap<>();
        boolean retryable = false;
        for (Map.Entry<String, Object> x : e.extensions().entrySet()) {
            // A 503 says so in the standard member rather than in an extension.
            if ("retryable".equals(x.getKey())) {
                retryable = Boolean.TRUE.equals(x.getValue());
            } else {
                extensions.put(x.getKey(), JsonSupport.MAPPER.valueToTree(x.getValue()));
            }
        }
        return new Problem(
                Problem.typeOf(e.code()),
                e.title(),
                e.status(),
                e.getMessage(),
                instance,
                e.code(),
                retryable,
                e.errors(),
                extensions);
    }

    /**
     * Missing, malformed, unknown, revoked or expired credentials: 401 with {@code
     * WWW-Authenticate}, the same answer whatever was wrong, so that it reveals no key.
     */
    @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
    public Response mapUnauthenticated(RuntimeException e, UriInfo uri) {
        ApiException problem =
                new ApiException(
                        401,
                        "unauthenticated",
                        "Unauthorized",
                        "missing, malformed, unknown, revoked or expired credentials: send an API"
                                + " key (Authorization: Bearer tk_... or X-API-Key) or a JWT"
                                + " (Authorization: Bearer)");
        return Response.fromResponse(mapApi(problem, uri))
                .header("WWW-Authenticate", ApiKeyAuthenticationMechanism.CHALLENGE)
                .build();
    }

    /** An identity without the endpoint's role: 403 naming the role ({@code required_role}). */
    @ServerExceptionMapper
    public Response mapForbidden(ForbiddenException e, UriInfo uri, ResourceInfo resource) {
        String role = requiredRole(resource);
        return mapApi(
                new ApiException(
                        403,
                        "missing_role",
                        "Forbidden",
                        role == null
                                ? "this credential may not call this endpoint"
                                : "this endpoint needs the role '" + role + "'",
                        List.of(),
                        role == null ? Map.of() : Map.of("required_role", role)),
                uri);
    }

    /** The roles of the endpoint (method, else class), or null when they cannot be read. */
    private static String requiredRole(ResourceInfo resource) {
        try {
            if (resource == null || resource.getResourceMethod() == null) {
                return null;
            }
            RolesAllowed roles = resource.getResourceMethod().getAnnotation(RolesAllowed.class);
            if (roles == null) {
                roles = resource.getResourceClass().getAnnotation(RolesAllowed.class);
            }
            return roles == null || roles.value().length == 0
                    ? null
                    : String.join(" or ", roles.value());
        } catch (RuntimeException e) {
            // The 403 stands without the role's name.
            return null;
        }
    }

    /**
     * A full database pool (its wait queue is full, or no connection came within the timeout) is an
     * overload, not a fault: 503 with Retry-After so that clients back off.
     */
    @ServerExceptionMapper
    public Response mapVertx(VertxException e, UriInfo uri) {
        if (e instanceof ConnectionPoolTooBusyException
                || String.valueOf(e.getMessage()).startsWith(POOL_TIMEOUT)) {
            return mapApi(
                    ApiException.unavailable(
                            "database_busy",
                            "every database connection is in use; retry later",
                            config.api().overloadRetryAfter()),
                    uri);
        }
        return mapUnexpected(e, uri);
    }

    @ServerExceptionMapper
    public Response mapWebApplication(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        String code =
                switch (status) {
                    case 404 -> "not_found";
                    case 405 -> "method_not_allowed";
                    case 406 -> "not_acceptable";
                    case 415 -> "unsupported_media_type";
                    default -> status >= 500 ? "internal_error" : "bad_request";
                };
        if (status >= 500) {
            LOG.errorf(e, "%s %s", status, uri.getPath());
        } else {
            LOG.warnf("%s %s: %s", status, uri.getPath(), e.getMessage());
        }
        String title = e.getResponse().getStatusInfo().getReasonPhrase();
        Problem body = problem(status, code, title, e.getMessage(), uri, status >= 500);
        return Response.status(status).type(PROBLEM_JSON).entity(body).build();
    }

    @ServerExceptionMapper
    public Response mapUnexpected(Exception e, UriInfo uri) {
        LOG.errorf(e, "500 %s", uri.getPath());
        Problem body =
                problem(
                        500,
                        "internal_error",
                        "Internal server error",
                        "the request could not be completed; see the orchestrator log",
                        uri,
                        true);
        return Response.status(500).type(PROBLEM_JSON).entity(body).build();
    }

    private static Problem problem(
            int status, String code, String title, String detail, UriInfo uri, boolean retryable) {
        return new Problem(
                Problem.typeOf(code),
                title,
                status,
                detail,
                uri.getPath(),
                code,
                retryable,
                List.of(),
                Map.of());
    }
}

package io.tasker.orchestrator.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
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
        ObjectNode body = problem(e.status(), e.code(), e.title(), e.getMessage(), uri, false);
        if (!e.errors().isEmpty()) {
            body.set("errors", JsonSupport.MAPPER.valueToTree(e.errors()));
        }
        for (Map.Entry<String, Object> x : e.extensions().entrySet()) {
            body.set(x.getKey(), JsonSupport.MAPPER.valueToTree(x.getValue()));
        }
        Response.ResponseBuilder response =
                Response.status(e.status()).type(PROBLEM_JSON).entity(JsonSupport.write(body));
        if (e.retryAfterSeconds() != null) {
            response.header("Retry-After", e.retryAfterSeconds());
        }
        return response.build();
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
        ObjectNode body = problem(status, code, title, e.getMessage(), uri, status >= 500);
        return Response.status(status).type(PROBLEM_JSON).entity(JsonSupport.write(body)).build();
    }

    @ServerExceptionMapper
    public Response mapUnexpected(Exception e, UriInfo uri) {
        LOG.errorf(e, "500 %s", uri.getPath());
        ObjectNode body =
                problem(
                        500,
                        "internal_error",
                        "Internal server error",
                        "the request could not be completed; see the orchestrator log",
                        uri,
                        true);
        return Response.status(500).type(PROBLEM_JSON).entity(JsonSupport.write(body)).build();
    }

    private static ObjectNode problem(
            int status, String code, String title, String detail, UriInfo uri, boolean retryable) {
        ObjectNode body = JsonSupport.object();
        body.put("type", "https://tasker.dev/problems/" + code.replace('_', '-'));
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", uri.getPath());
        body.put("code", code);
        body.put("retryable", retryable);
        return body;
    }
}

package io.tasker.orchestrator.rest;

import io.tasker.messages.JsonSupport;
import io.tasker.messages.api.Problem;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Answers 413 problem+json to a request whose declared {@code Content-Length} passes {@code
 * tasker.api.max-body-bytes}, before its body is read. Bodies sent without a length are measured by
 * {@link JsonBodies#parse} (and capped by {@code quarkus.http.limits.max-body-size}, see
 * application.properties).
 */
@ApplicationScoped
public class BodySizeLimit {

    private static final Logger LOG = Logger.getLogger(BodySizeLimit.class);

    private final long maxBodyBytes;

    public BodySizeLimit(OrchestratorConfig config) {
        this.maxBodyBytes = config.api().maxBodyBytes();
    }

    void install(@Observes Router router) {
        // Before Quarkus' body handler, so that nothing of an oversized body is buffered.
        router.route().order(Integer.MIN_VALUE).handler(this::check);
        // Quarkus' own limit (bodies without a Content-Length) fails the route with 413.
        router.errorHandler(413, ctx -> refuse(ctx, -1));
    }

    private void check(RoutingContext ctx) {
        String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long length = -1;
        if (declared != null) {
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                length = -1;
            }
        }
        if (length > maxBodyBytes) {
            refuse(ctx, length);
        } else {
            ctx.next();
        }
    }

    private void refuse(RoutingContext ctx, long length) {
        ApiException e = JsonBodies.tooLarge(length, maxBodyBytes);
        LOG.warnf("413 %s: %s", ctx.request().path(), e.getMessage());
        String detail =
                length < 0
                        ? "the request body is larger than the limit of "
                                + maxBodyBytes
                                + " bytes (tasker.api.max-body-bytes)"
                        : e.getMessage();
        Problem problem =
                ProblemMapper.problem(
                        new ApiException(
                                e.status(),
                                e.code(),
                                e.title(),
                                detail,
                                e.errors(),
                                e.extensions()),
                        ctx.request().path());
        // The unread body stays on the connection: close it rather than parse what follows.
        ctx.response()
                .setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, ProblemMapper.PROBLEM_JSON)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(JsonSupport.write(JsonSupport.MAPPER.valueToTree(problem)));
    }
}

package io.tasker.orchestrator.rest;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The head of the served OpenAPI document ({@code /q/openapi}) and the error answers operations
 * share by reference ({@link ApiConventions} makes each of them a problem+json answer). The
 * operations themselves come from the annotated resources and their bodies from the records in
 * {@code io.tasker.messages.api}: there is no hand-written document.
 */
@OpenAPIDefinition(
        info =
                @Info(
                        title = "Tasker orchestrator API",
                        version = "0.1.0",
                        description =
                                "The orchestrator's HTTP API: register versioned task templates,"
                                        + " create and inspect tasks and their workflow steps,"
                                        + " operate on steps, look at queue depth and the"
                                        + " registered workers, and work the dead-letter"
                                        + " queue.\n\n"
                                        + "Bodies are JSON with snake_case fields. Every error is"
                                        + " an RFC 9457 problem document served as"
                                        + " `application/problem+json` (schema `Problem`) with a"
                                        + " stable machine-readable `code`.\n\n"
                                        + "Every operation needs a credential: an API key"
                                        + " (`Authorization: Bearer tk_...` or `X-API-Key`) or a"
                                        + " JWT (`Authorization: Bearer`), holding the role the"
                                        + " operation names (docs/security.md).\n\n"
                                        + "This document is generated from the resources and the"
                                        + " records they exchange; OpenApiDocumentTest checks"
                                        + " that it describes every endpoint they serve."),
        tags = {
            @Tag(
                    name = "tasks",
                    description = "Create, list, read and cancel tasks; their transitions."),
            @Tag(
                    name = "steps",
                    description = "The workflow steps of a task and operator actions on them."),
            @Tag(name = "templates", description = "Versioned task templates (YAML or JSON)."),
            @Tag(name = "queues", description = "Depth and age of the pgmq queues."),
            @Tag(
                    name = "workers",
                    description = "The worker registry: live and recently gone workers."),
            @Tag(
                    name = "dlq",
                    description =
                            "Dead-letter queue of stale tasks, for investigation and resolution."),
            @Tag(name = "api-keys", description = "API keys: create, list, revoke (role admin).")
        },
        security = {
            @SecurityRequirement(name = ApiDocument.API_KEY),
            @SecurityRequirement(name = ApiDocument.BEARER)
        },
        components =
                @Components(
                        securitySchemes = {
                            @SecurityScheme(
                                    securitySchemeName = ApiDocument.API_KEY,
                                    type = SecuritySchemeType.APIKEY,
                                    in = SecuritySchemeIn.HEADER,
                                    apiKeyName = "X-API-Key",
                                    description =
                                            "An API key `tk_...`; also accepted as"
                                                    + " `Authorization: Bearer tk_...`."),
                            @SecurityScheme(
                                    securitySchemeName = ApiDocument.BEARER,
                                    type = SecuritySchemeType.HTTP,
                                    scheme = "bearer",
                                    description = "An API key `tk_...` or a JWT.")
                        },
                        responses = {
                            @APIResponse(
                                    name = ApiDocument.UNAUTHORIZED,
                                    description =
                                            "No credential, or a malformed, unknown, revoked or"
                                                    + " expired one (code `unauthenticated`)."
                                                    + " Nothing was written.",
                                    headers =
                                            @Header(
                                                    name = "WWW-Authenticate",
                                                    description = "`Bearer realm=\"tasker\"`.",
                                                    schema = @Schema(type = SchemaType.STRING))),
                            @APIResponse(
                                    name = ApiDocument.FORBIDDEN,
                                    description =
                                            "The credential lacks the operation's role (code"
                                                    + " `missing_role`, the role in"
                                                    + " `required_role`) or may not use the"
                                                    + " namespace (code `namespace_not_allowed`)."
                                                    + " Nothing was written."),
                            @APIResponse(
                                    name = ApiDocument.TOO_MANY_REQUESTS,
                                    description =
                                            "The caller passed its write rate limit"
                                                    + " (`tasker.auth.rate-limit.*`, per"
                                                    + " orchestrator; code `rate_limited`). Retry"
                                                    + " after the `Retry-After` header's seconds."
                                                    + " Nothing was written.",
                                    headers =
                                            @Header(
                                                    name = "Retry-After",
                                                    description =
                                                            "Seconds to wait before retrying.",
                                                    schema = @Schema(type = SchemaType.INTEGER))),
                            @APIResponse(
                                    name = ApiDocument.TASK_NOT_FOUND,
                                    description = "No such task (code `task_not_found`)."),
                            @APIResponse(
                                    name = ApiDocument.STEP_NOT_FOUND,
                                    description =
                                            "No such task (code `task_not_found`) or the task has"
                                                    + " no such step (code `step_not_found`)."),
                            @APIResponse(
                                    name = ApiDocument.CONTENT_TOO_LARGE,
                                    description =
                                            "The body is larger than `tasker.api.max-body-bytes`"
                                                    + " (code `body_too_large`; the limit is in"
                                                    + " the extension member `max_body_bytes`)."
                                                    + " Refused before the body is read."),
                            @APIResponse(
                                    name = ApiDocument.UNSUPPORTED_MEDIA_TYPE,
                                    description =
                                            "The Content-Type of the body is not accepted here"
                                                    + " (code `unsupported_media_type`)."),
                            @APIResponse(
                                    name = ApiDocument.SERVICE_UNAVAILABLE,
                                    description =
                                            "Overloaded: the namespace's queue holds more than"
                                                    + " `tasker.api.max-namespace-backlog` messages"
                                                    + " (code `namespace_backlog_exceeded`), or"
                                                    + " every database connection is busy (code"
                                                    + " `database_busy`). `retryable` is true;"
                                                    + " retry after the `Retry-After` header's"
                                                    + " seconds. Nothing was written.",
                                    headers =
                                            @Header(
                                                    name = "Retry-After",
                                                    description =
                                                            "Seconds to wait before retrying.",
                                                    schema = @Schema(type = SchemaType.INTEGER))),
                            @APIResponse(
                                    name = ApiDocument.INTERNAL_ERROR,
                                    description =
                                            "Unexpected failure (code `internal_error`,"
                                                    + " `retryable` true); details are in the"
                                                    + " orchestrator log.")
                        }))
public class ApiDocument extends Application {

    public static final String TASK_NOT_FOUND = "TaskNotFound";
    public static final String STEP_NOT_FOUND = "StepNotFound";
    public static final String CONTENT_TOO_LARGE = "ContentTooLarge";
    public static final String UNSUPPORTED_MEDIA_TYPE = "UnsupportedMediaType";
    public static final String SERVICE_UNAVAILABLE = "ServiceUnavailable";
    public static final String INTERNAL_ERROR = "InternalError";
    public static final String UNAUTHORIZED = "Unauthorized";
    public static final String FORBIDDEN = "Forbidden";
    public static final String TOO_MANY_REQUESTS = "TooManyRequests";
    public static final String API_KEY = "apiKey";
    public static final String BEARER = "bearer";
}

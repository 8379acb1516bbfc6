package io.tasker.orchestrator.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.QueueNames;
import io.tasker.messages.api.ApiKeyList;
import io.tasker.messages.api.CreateApiKeyRequest;
import io.tasker.messages.api.CreatedApiKey;
import io.tasker.orchestrator.auth.Callers.Caller;
import io.tasker.orchestrator.rest.ApiDocument;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.orchestrator.rest.ParameterChecks;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;

/** API key management (role {@code admin}): {@code /v1/api-keys}. */
@Path("/v1/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "api-keys")
@RolesAllowed(Roles.ADMIN)
public class ApiKeyResource {

    private static final Logger LOG = Logger.getLogger(ApiKeyResource.class);
    private static final Set<String> FIELDS = Set.of("name", "roles", "namespaces", "expires_at");

    private final Pool pool;
    private final ApiKeyStore store;
    private final Callers callers;

    public ApiKeyResource(Pool pool, ApiKeyStore store, Callers callers) {
        this.pool = pool;
        this.store = store;
        this.callers = callers;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "createApiKey",
            summary = "Create an API key",
            description =
                    "Generates a random key (`tk_<prefix>_<secret>`, 192 secret bits) and stores"
                            + " its HMAC-SHA-256 only: the key is in this answer and nowhere else."
                            + " A caller limited to namespaces can only create keys limited to"
                            + " some of them.")
    @RequestBody(
            required = true,
            content = @Content(schema = @Schema(implementation = CreateApiKeyRequest.class)))
    @APIResponse(
            responseCode = "201",
            description = "The key was created; `key` is shown this once.",
            headers =
                    @Header(
                            name = "Location",
                            description = "URL of the key, `/v1/api-keys/{api_key_uuid}`.",
                            schema = @Schema(type = SchemaType.STRING)),
            content = @Content(schema = @Schema(implementation = CreatedApiKey.class)))
    @APIResponse(
            responseCode = "400",
            description =
                    "Codes: `malformed_json`, `invalid_request` (every problem in `errors`:"
                            + " missing or too long name, no role, unknown role, invalid"
                            + " namespace, expiry not in the future, unknown field).")
    @APIResponse(
            responseCode = "409",
            description = "A key that is not revoked has this name (code `api_key_name_taken`).")
    @APIResponse(responseCode = "413", ref = ApiDocument.CONTENT_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    public Uni<RestResponse<CreatedApiKey>> create(String body) {
        CreateApiKeyRequest request = read(ApiException.parseJsonBody(body));
        String key = ApiKeyCodec.generate();
        String prefix = ApiKeyCodec.prefix(key).orElseThrow();
        return callers.current()
                .invoke(caller -> requireWithinScope(caller, request.namespaces()))
                .chain(
                        caller ->
                                ApiKeyRepository.insert(
                                        pool,
                                        request.name(),
                                        prefix,
                                        store.hmac(key),
                                        request.roles(),
                                        request.namespaces(),
                                        caller.actor(),
                                        request.expiresAt()))
                .onFailure(PgException.class)
                .transform(e -> translate((PgException) e, request.name()))
                .invoke(
                        created ->
                                LOG.infof(
                                        "API key %s (prefix %s, roles %s) created",
                                        created.name(), created.prefix(), created.roles()))
                .map(
                        created ->
                                RestResponse.ResponseBuilder.<CreatedApiKey>created(
                                                URI.create("/v1/api-keys/" + created.apiKeyUuid()))
                                        .entity(new CreatedApiKey(key, created))
                                        .build());
    }

    @GET
    @Operation(
            operationId = "listApiKeys",
            summary = "List API keys",
            description = "Every key, newest first, revoked ones included; never the key itself.")
    @APIResponse(responseCode = "200", description = "The keys.")
    public Uni<ApiKeyList> list() {
        return ApiKeyRepository.list(pool).map(ApiKeyList::new);
    }

    @DELETE
    @Path("/{api_key_uuid}")
    @Operation(
            operationId = "revokeApiKey",
            summary = "Revoke an API key",
            description =
                    "Marks the key revoked: this orchestrator refuses it at once, the others when"
                            + " the database's notification reaches them (within"
                            + " `tasker.auth.key-cache-ttl` at worst). Revoking a revoked key"
                            + " keeps its first revocation time.")
    @APIResponse(responseCode = "200", description = "The revoked key.")
    @APIResponse(responseCode = "404", description = "No such key (code `api_key_not_found`).")
    public Uni<io.tasker.messages.api.ApiKey> revoke(@PathParam("api_key_uuid") String keyUuid) {
        UUID id =
                ParameterChecks.parse(
                        keyUuid,
                        UUID::fromString,
                        () ->
                                ApiException.badRequest(
                                        "invalid_uuid",
                                        "api_key_uuid '" + keyUuid + "' is not a UUID",
                                        List.of("api_key_uuid must be a UUID")));
        return ApiKeyRepository.revoke(pool, id)
                .map(
                        revoked -> {
                            var r =
                                    revoked.orElseThrow(
                                            () ->
                                                    ApiException.notFound(
                                                            "api_key_not_found",
                                                            "no API key " + id));
                            store.forget(r.prefix());
                            LOG.infof(
                                    "API key %s (prefix %s) revoked", r.view().name(), r.prefix());
                            return r.view();
                        });
    }

    /** Maps the body to a request, listing every problem at once (400 {@code invalid_request}). */
    static CreateApiKeyRequest read(JsonNode body) {
        ApiException.requireObject(body, "the body must be a JSON object");
        List<String> problems = new ArrayList<>();
        body.fieldNames()
                .forEachRemaining(
                        f -> {
                            if (!FIELDS.contains(f)) {
                                problems.add("unknown field '" + f + "'");
                            }
                        });
        String name = body.path("name").isTextual() ? body.get("name").asText().strip() : null;
        if (name == null || name.isEmpty() || name.length() > 100) {
            problems.add("name is required: 1 to 100 characters");
        }
        List<String> roles = strings(body.get("roles"), "roles", problems);
        if (roles == null || roles.isEmpty()) {
            problems.add("roles must list at least one of " + Roles.ALL);
        } else {
            roles.stream()
                    .filter(r -> !Roles.ALL.contains(r))
                    .forEach(r -> problems.add("unknown role '" + r + "'; one of " + Roles.ALL));
        }
        List<String> namespaces = strings(body.get("namespaces"), "namespaces", problems);
        if (namespaces != null) {
            namespaces.stream()
                    .filter(n -> !QueueNames.isValidNamespace(n))
                    .forEach(
                            n ->
                                    problems.add(
                                            "namespace '"
                                                    + n
                                                    + "' must match "
                                                    + QueueNames.NAMESPACE.pattern()));
        }
        OffsetDateTime expiresAt = null;
        JsonNode expiry = body.get("expires_at");
        if (expiry != null && !expiry.isNull()) {
            try {
                expiresAt = OffsetDateTime.parse(expiry.asText());
                if (!expiresAt.isAfter(OffsetDateTime.now())) {
                    problems.add("expires_at must be in the future");
                }
            } catch (DateTimeParseException e) {
                problems.add("expires_at must be an ISO-8601 timestamp with offset");
            }
        }
        ApiException.requireNoProblems("invalid_request", "API key request", problems);
        return new CreateApiKeyRequest(name, roles, namespaces, expiresAt);
    }

    /** A JSON array of strings, deduplicated in order; null when absent. */
    private static List<String> strings(JsonNode node, String field, List<String> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        if (!node.isArray()) {
            problems.add(field + " must be a list of strings");
            return List.of();
        }
        for (JsonNode v : node) {
            if (!v.isTextual()) {
                problems.add(field + " must be a list of strings");
                return List.of();
            }
            out.add(v.asText());
        }
        return List.copyOf(out);
    }

    /** A caller limited to namespaces cannot hand out more than it has. */
    private static void requireWithinScope(Caller caller, List<String> namespaces) {
        if (caller.namespaces() == null) {
            return;
        }
        if (namespaces == null) {
            throw new ApiException(
                    403,
                    "namespace_not_allowed",
                    "Forbidden",
                    "a caller limited to namespaces can only create keys limited to some of them",
                    List.of(),
                    Map.of());
        }
        namespaces.forEach(caller::requireNamespace);
    }

    private static Throwable translate(PgException e, String name) {
        if ("23505".equals(e.getSqlState())) {
            return ApiException.conflict(
                    "api_key_name_taken",
                    "a key named '" + name + "' exists and is not revoked",
                    Map.of());
        }
        return e;
    }
}

package io.tasker.orchestrator.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.WireValue;
import io.tasker.messages.api.DlqEntry;
import io.tasker.messages.api.DlqList;
import io.tasker.messages.api.DlqResolutionRequest;
import io.tasker.messages.api.DlqResolutionStatus;
import io.tasker.orchestrator.auth.Callers;
import io.tasker.orchestrator.auth.Callers.Caller;
import io.tasker.orchestrator.auth.Roles;
import io.tasker.orchestrator.rest.ApiDocument;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.orchestrator.rest.JsonViews;
import io.tasker.orchestrator.rest.ParameterChecks;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** DLQ investigation: {@code GET /v1/dlq} and {@code PATCH /v1/dlq/{entry_uuid}}. */
@Path("/v1/dlq")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "dlq")
public class DlqResource {

    private static final List<String> STATUSES = WireValue.wires(DlqResolutionStatus.class);

    static final String ENTRY_JSON =
            """
            jsonb_build_object(
                'dlq_entry_uuid', d.dlq_entry_uuid, 'task_uuid', d.task_uuid,
                'original_state', d.original_state, 'reason', d.reason, 'snapshot', d.snapshot,
                'resolution_status', d.resolution_status, 'resolution_notes', d.resolution_notes,
                'resolved_by', d.resolved_by, 'created_at', d.created_at, 'resolved_at', d.resolved_at)
            """;

    // The entry's task is in one of the caller's namespaces ($S: text[], null for every one).
    private static final String IN_SCOPE =
            "($S::text[] IS NULL OR EXISTS (SELECT 1 FROM tasker.tasks t"
                    + " WHERE t.task_uuid = d.task_uuid AND t.namespace = ANY($S::text[])))";

    private static final String LIST =
            "SELECT "
                    + ENTRY_JSON
                    + "::text FROM tasker.tasks_dlq d"
                    + " WHERE ($1::text IS NULL OR d.resolution_status = $1::text)"
                    + " AND "
                    + IN_SCOPE.replace("$S", "$3")
                    + " ORDER BY d.created_at DESC LIMIT $2::integer";

    private static final String RESOLVE =
            "UPDATE tasker.tasks_dlq d SET resolution_status = $2::text, resolution_notes = $3::text,"
                    + " resolved_by = $4::text,"
                    + " resolved_at = CASE WHEN $2::text = 'pending' THEN NULL ELSE now() END"
                    + " WHERE dlq_entry_uuid = $1::uuid AND "
                    + IN_SCOPE.replace("$S", "$5")
                    + " RETURNING "
                    + ENTRY_JSON
                    + "::text";

    private final Pool pool;
    private final Callers callers;

    public DlqResource(Pool pool, Callers callers) {
        this.pool = pool;
        this.callers = callers;
    }

    @GET
    @RolesAllowed(Roles.TASKS_READ)
    @Operation(
            operationId = "listDlqEntries",
            summary = "List DLQ entries, newest first",
            description = "A caller limited to namespaces sees only the entries of their tasks.")
    @APIResponse(responseCode = "200", description = "The entries.")
    @APIResponse(
            responseCode = "400",
            description =
                    "Unknown resolution_status or limit outside 1..500 (code `invalid_filter`).")
    public Uni<DlqList> list(
            @Parameter(
                            description = "Only entries with this resolution status.",
                            schema = @Schema(implementation = DlqResolutionStatus.class))
                    @QueryParam("resolution_status")
                    String status,
            @Parameter(
                            description = "Number of entries (1 to 500, default 100).",
                            schema = @Schema(minimum = "1", maximum = "500", defaultValue = "100"))
                    @QueryParam("limit")
                    Integer limit) {
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest(
                    "invalid_filter",
                    "unknown resolution_status '" + status + "'",
                    List.of("resolution_status must be one of " + STATUSES));
        }
        int size = ParameterChecks.limit(limit, 100, 500);
        return callers.current()
                .chain(
                        caller ->
                                pool.preparedQuery(LIST)
                                        .execute(Tuple.of(status, size, scope(caller))))
                .map(rows -> new DlqList(JsonViews.all(rows, DlqEntry.class)));
    }

    @PATCH
    @Path("/{entry_uuid}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.TASKS_OPERATE)
    @Operation(
            operationId = "resolveDlqEntry",
            summary = "Resolve a DLQ entry",
            description =
                    "Records the resolution of an entry; setting it back to `pending` clears"
                            + " `resolved_at`. `resolved_by` is the authenticated caller; a"
                            + " `resolved_by` in the body is only added to the notes.")
    @RequestBody(
            required = true,
            content = @Content(schema = @Schema(implementation = DlqResolutionRequest.class)))
    @APIResponse(responseCode = "200", description = "The entry after the update.")
    @APIResponse(
            responseCode = "400",
            description =
                    "Codes: `invalid_uuid`, `malformed_json`, `invalid_request` (every problem in"
                            + " `errors`: unknown resolution_status).")
    @APIResponse(
            responseCode = "404",
            description = "No such DLQ entry (code `dlq_entry_not_found`).")
    @APIResponse(responseCode = "413", ref = ApiDocument.CONTENT_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    public Uni<DlqEntry> resolve(@PathParam("entry_uuid") String entryUuid, String body) {
        UUID id =
                ParameterChecks.parse(
                        entryUuid,
                        UUID::fromString,
                        () ->
                                ApiException.badRequest(
                                        "invalid_uuid",
                                        "entry_uuid '" + entryUuid + "' is not a UUID",
                                        List.of()));
        DlqResolutionRequest request = read(ApiException.parseJsonBody(body));
        return callers.current()
                .chain(
                        caller ->
                                pool.preparedQuery(RESOLVE)
                                        .execute(
                                                Tuple.tuple()
                                                        .addUUID(id)
                                                        .addString(
                                                                request.resolutionStatus().wire())
                                                        .addString(
                                                                caller.reasonWith(
                                                                        request.resolutionNotes(),
                                                                        request.resolvedBy()))
                                                        .addString(caller.actor())
                                                        .addArrayOfString(scope(caller))))
                .map(
                        rows ->
                                JsonViews.first(rows, DlqEntry.class)
                                        .orElseThrow(
                                                () ->
                                                        ApiException.notFound(
                                                                "dlq_entry_not_found",
                                                                "no DLQ entry " + id)));
    }

    private static String[] scope(Caller caller) {
        List<String> namespaces = caller.namespaceFilter();
        return namespaces == null ? null : namespaces.toArray(String[]::new);
    }

    /**
     * Maps a parsed request body to the resolution, listing every problem at once (400 {@code
     * invalid_request}).
     */
    static DlqResolutionRequest read(JsonNode request) {
        List<String> problems = new ArrayList<>();
        String status = request == null ? null : request.path("resolution_status").asText(null);
        if (status == null || !STATUSES.contains(status)) {
            problems.add("resolution_status must be one of " + STATUSES);
        }
        String by = request == null ? null : request.path("resolved_by").asText(null);
        ApiException.requireNoProblems("invalid_request", "DLQ update", problems);
        return new DlqResolutionRequest(
                WireValue.parse(DlqResolutionStatus.class, status, "DLQ resolution status"),
                by,
                request.path("resolution_notes").asText(null));
    }
}

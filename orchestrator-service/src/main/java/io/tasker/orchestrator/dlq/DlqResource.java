package io.tasker.orchestrator.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.rest.ApiException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
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
import java.util.Set;
import java.util.UUID;

/** DLQ investigation: {@code GET /v1/dlq} and {@code PATCH /v1/dlq/{entry_uuid}}. */
@Path("/v1/dlq")
@Produces(MediaType.APPLICATION_JSON)
public class DlqResource {

    private static final Set<String> STATUSES =
            Set.of("pending", "manually_resolved", "permanently_failed", "cancelled");

    private static final String ENTRY_JSON =
            """
            jsonb_build_object(
                'dlq_entry_uuid', d.dlq_entry_uuid, 'task_uuid', d.task_uuid,
                'original_state', d.original_state, 'reason', d.reason, 'snapshot', d.snapshot,
                'resolution_status', d.resolution_status, 'resolution_notes', d.resolution_notes,
                'resolved_by', d.resolved_by, 'created_at', d.created_at, 'resolved_at', d.resolved_at)
            """;

    private static final String LIST =
            "SELECT coalesce(jsonb_agg("
                    + ENTRY_JSON
                    + " ORDER BY d.created_at DESC), '[]'::jsonb)::text FROM (SELECT * FROM tasker.tasks_dlq"
                    + " WHERE ($1::text IS NULL OR resolution_status = $1::text)"
                    + " ORDER BY created_at DESC LIMIT $2::integer) d";

    private static final String RESOLVE =
            "UPDATE tasker.tasks_dlq d SET resolution_status = $2::text, resolution_notes = $3::text,"
                    + " resolved_by = $4::text,"
                    + " resolved_at = CASE WHEN $2::text = 'pending' THEN NULL ELSE now() END"
                    + " WHERE dlq_entry_uuid = $1::uuid RETURNING "
                    + ENTRY_JSON
                    + "::text";

    private final Pool pool;

    public DlqResource(Pool pool) {
        this.pool = pool;
    }

    @GET
    public Uni<String> list(
            @QueryParam("resolution_status") String status, @QueryParam("limit") Integer limit) {
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest(
                    "invalid_filter",
                    "unknown resolution_status '" + status + "'",
                    List.of("resolution_status must be one of " + STATUSES));
        }
        int size = limit == null ? 100 : limit;
        if (size < 1 || size > 500) {
            throw ApiException.badRequest(
                    "invalid_filter",
                    "limit must be between 1 and 500",
                    List.of("limit out of range"));
        }
        return pool.preparedQuery(LIST)
                .execute(Tuple.of(status, size))
                .map(
                        rows -> {
                            ObjectNode out = JsonSupport.object();
                            out.set(
                                    "dlq_entries",
                                    JsonSupport.parse(rows.iterator().next().getString(0)));
                            return JsonSupport.write(out);
                        });
    }

    @PATCH
    @Path("/{entry_uuid}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<String> resolve(@PathParam("entry_uuid") String entryUuid, String body) {
        UUID id;
        try {
            id = UUID.fromString(entryUuid);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(
                    "invalid_uuid", "entry_uuid '" + entryUuid + "' is not a UUID", List.of());
        }
        JsonNode request = ApiException.parseJsonBody(body);
        List<String> problems = new ArrayList<>();
        String status = request == null ? null : request.path("resolution_status").asText(null);
        if (status == null || !STATUSES.contains(status)) {
            problems.add("resolution_status must be one of " + STATUSES);
        }
        String by = request == null ? null : request.path("resolved_by").asText(null);
        if (by == null || by.isBlank()) {
            problems.add("resolved_by is required (who resolved it)");
        }
        if (!problems.isEmpty()) {
            throw ApiException.badRequest(
                    "invalid_request",
                    "the DLQ update has " + problems.size() + " problem(s)",
                    problems);
        }
        String notes = request.path("resolution_notes").asText(null);
        return pool.preparedQuery(RESOLVE)
                .execute(Tuple.of(id, status, notes, by))
                .map(
                        rows -> {
                            if (rows.size() == 0) {
                                throw ApiException.notFound(
                                        "dlq_entry_not_found", "no DLQ entry " + id);
                            }
                            return rows.iterator().next().getString(0);
                        });
    }
}

package io.tasker.orchestrator.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.orchestrator.step.StepOperations;
import io.tasker.orchestrator.task.TaskQueries.TaskFilter;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The task API: {@code /v1/tasks}. */
@Path("/v1/tasks")
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {

    private static final Set<String> STATES =
            Set.of(
                    "pending",
                    "initializing",
                    "enqueuing_steps",
                    "steps_in_process",
                    "evaluating_results",
                    "waiting_for_dependencies",
                    "waiting_for_retry",
                    "blocked_by_failures",
                    "complete",
                    "error",
                    "cancelled",
                    "resolved_manually");

    private final TaskService tasks;
    private final StepOperations steps;
    private final TaskQueries queries;
    private final Pool pool;
    private final OrchestratorConfig config;

    public TaskResource(
            TaskService tasks,
            TaskQueries queries,
            Pool pool,
            OrchestratorConfig config,
            StepOperations steps) {
        this.steps = steps;
        this.tasks = tasks;
        this.queries = queries;
        this.pool = pool;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(String body) {
        JsonNode request = ApiException.parseJsonBody(body);
        return tasks.createTask(request)
                .map(
                        view ->
                                Response.created(
                                                URI.create(
                                                        "/v1/tasks/"
                                                                + view.get("task_uuid").asText()))
                                        .entity(JsonSupport.write(view))
                                        .build());
    }

    @GET
    public Uni<String> list(
            @QueryParam("namespace") String namespace,
            @QueryParam("name") String name,
            @QueryParam("status") String status,
            @QueryParam("created_after") String createdAfter,
            @QueryParam("created_before") String createdBefore,
            @QueryParam("limit") Integer limit,
            @QueryParam("offset") Integer offset) {
        if (status != null && !STATES.contains(status)) {
            throw ApiException.badRequest(
                    "invalid_filter",
                    "unknown status '" + status + "'",
                    List.of("status must be a task state"));
        }
        int size = limit == null ? config.api().defaultPageSize() : limit;
        if (size < 1 || size > config.api().maxPageSize()) {
            throw ApiException.badRequest(
                    "invalid_filter",
                    "limit must be between 1 and " + config.api().maxPageSize(),
                    List.of("limit out of range"));
        }
        int from = offset == null ? 0 : offset;
        if (from < 0) {
            throw ApiException.badRequest(
                    "invalid_filter", "offset must not be negative", List.of("offset < 0"));
        }
        TaskFilter filter =
                new TaskFilter(
                        namespace,
                        name,
                        status,
                        time("created_after", createdAfter),
                        time("created_before", createdBefore),
                        size + 1,
                        from);
        return queries.listTasks(pool, filter)
                .map(
                        rows -> {
                            ObjectNode out = JsonSupport.object();
                            var items = JsonSupport.array();
                            rows.stream().limit(size).forEach(items::add);
                            out.set("tasks", items);
                            ObjectNode page = out.putObject("pagination");
                            page.put("limit", size);
                            page.put("offset", from);
                            page.put("count", items.size());
                            page.put("has_more", rows.size() > size);
                            return JsonSupport.write(out);
                        });
    }

    @GET
    @Path("/{task_uuid}")
    public Uni<String> get(@PathParam("task_uuid") String taskUuid) {
        UUID id = uuid("task_uuid", taskUuid);
        return queries.findTask(pool, id)
                .map(found -> JsonSupport.write(found.orElseThrow(() -> taskNotFound(id))));
    }

    /** Cancels the task and its unfinished steps; 409 when it has already finished. */
    @DELETE
    @Path("/{task_uuid}")
    public Uni<String> cancel(
            @PathParam("task_uuid") String taskUuid,
            @QueryParam("reason") String reason,
            @QueryParam("actor") String actor) {
        UUID id = uuid("task_uuid", taskUuid);
        String who = actor == null || actor.isBlank() ? "api" : actor;
        return tasks.cancelTask(id, reason, who).map(JsonSupport::write);
    }

    @PATCH
    @Path("/{task_uuid}/workflow_steps/{step_uuid}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<String> operate(
            @PathParam("task_uuid") String taskUuid,
            @PathParam("step_uuid") String stepUuid,
            String body) {
        UUID id = uuid("task_uuid", taskUuid);
        UUID step = uuid("step_uuid", stepUuid);
        JsonNode request = ApiException.parseJsonBody(body);
        return steps.operate(id, step, request).map(JsonSupport::write);
    }

    @GET
    @Path("/{task_uuid}/workflow_steps")
    public Uni<String> steps(@PathParam("task_uuid") String taskUuid) {
        UUID id = uuid("task_uuid", taskUuid);
        return requireTask(id)
                .chain(() -> queries.listSteps(pool, id, null))
                .map(
                        steps -> {
                            ObjectNode out = JsonSupport.object();
                            out.set("workflow_steps", steps);
                            return JsonSupport.write(out);
                        });
    }

    @GET
    @Path("/{task_uuid}/workflow_steps/{step_uuid}")
    public Uni<String> step(
            @PathParam("task_uuid") String taskUuid, @PathParam("step_uuid") String stepUuid) {
        UUID id = uuid("task_uuid", taskUuid);
        UUID step = uuid("step_uuid", stepUuid);
        return requireTask(id)
                .chain(() -> queries.listSteps(pool, id, step))
                .map(
                        steps -> {
                            if (steps.isEmpty()) {
                                throw ApiException.notFound(
                                        "step_not_found",
                                        "task " + id + " has no workflow step " + step);
                            }
                            return JsonSupport.write(steps.get(0));
                        });
    }

    @GET
    @Path("/{task_uuid}/transitions")
    public Uni<String> transitions(@PathParam("task_uuid") String taskUuid) {
        UUID id = uuid("task_uuid", taskUuid);
        return requireTask(id)
                .chain(() -> queries.listTransitions(pool, id))
                .map(JsonSupport::write);
    }

    private Uni<Void> requireTask(UUID id) {
        return queries.exists(pool, id)
                .invoke(
                        exists -> {
                            if (!exists) {
                                throw taskNotFound(id);
                            }
                        })
                .replaceWithVoid();
    }

    private static ApiException taskNotFound(UUID id) {
        return ApiException.notFound("task_not_found", "no task " + id);
    }

    static UUID uuid(String name, String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(
                    "invalid_uuid",
                    name + " '" + value + "' is not a UUID",
                    List.of(name + " must be a UUID"));
        }
    }

    private static OffsetDateTime time(String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(
                    "invalid_filter",
                    name + " must be an ISO-8601 timestamp with offset",
                    List.of(name + " '" + value + "' cannot be parsed"));
        }
    }
}

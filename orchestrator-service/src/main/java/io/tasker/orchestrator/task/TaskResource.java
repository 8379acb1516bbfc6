package io.tasker.orchestrator.task;

import io.smallrye.mutiny.Uni;
import io.tasker.messages.TaskState;
import io.tasker.messages.WireValue;
import io.tasker.messages.api.CreateTaskRequest;
import io.tasker.messages.api.Pagination;
import io.tasker.messages.api.Step;
import io.tasker.messages.api.StepActionRequest;
import io.tasker.messages.api.StepList;
import io.tasker.messages.api.Task;
import io.tasker.messages.api.TaskPage;
import io.tasker.messages.api.TaskSummary;
import io.tasker.messages.api.Transitions;
import io.tasker.orchestrator.auth.Callers;
import io.tasker.orchestrator.auth.Callers.Caller;
import io.tasker.orchestrator.auth.Roles;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.rest.ApiDocument;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.orchestrator.rest.ParameterChecks;
import io.tasker.orchestrator.step.StepOperations;
import io.tasker.orchestrator.task.TaskQueries.TaskFilter;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
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
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The task API: {@code /v1/tasks}. The {@code *_uuid} path parameters and their 400 {@code
 * invalid_uuid} are documented by {@link io.tasker.orchestrator.rest.ApiConventions}; the step
 * operations carry the tag "steps" in place of the class's "tasks". A caller limited to namespaces
 * sees the tasks of other namespaces as not found (404), and may not create tasks in them (403).
 */
@Path("/v1/tasks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "tasks")
public class TaskResource {

    @Inject TaskService tasks;
    @Inject StepOperations steps;
    @Inject TaskQueries queries;
    @Inject Pool pool;
    @Inject OrchestratorConfig config;
    @Inject Callers callers;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.TASKS_WRITE)
    @Operation(
            operationId = "createTask",
            summary = "Create a task",
            description =
                    "Resolves the template (the highest registered version when `version` is left"
                            + " out), validates `context` against the template's `input_schema`,"
                            + " computes the task identity and, in one transaction, inserts the"
                            + " task with its steps and enqueues every root step.")
    @RequestBody(
            required = true,
            content = @Content(schema = @Schema(implementation = CreateTaskRequest.class)))
    @APIResponse(
            responseCode = "201",
            description = "The task was created; its steps are listed with their initial states.",
            headers =
                    @Header(
                            name = "Location",
                            description = "URL of the new task, `/v1/tasks/{task_uuid}`.",
                            schema = @Schema(type = SchemaType.STRING)),
            content = @Content(schema = @Schema(implementation = Task.class)))
    @APIResponse(
            responseCode = "400",
            description =
                    "The request is invalid. Codes: `malformed_json`, `invalid_request` (every"
                            + " problem in `errors`), `context_validation_failed` (every JSON"
                            + " Schema violation of the context in `errors`),"
                            + " `idempotency_key_required` (template uses the `caller_provided`"
                            + " identity strategy). Input limits (every JSON body):"
                            + " `nul_character`, `number_out_of_range`, `json_limit_exceeded`"
                            + " (depth, number of values, string length), `context_too_large`;"
                            + " the offending value's JSON path is in `json_path`.")
    @APIResponse(
            responseCode = "404",
            description = "No such template (code `template_not_found`).")
    @APIResponse(
            responseCode = "409",
            description =
                    "A task with the same identity already exists (code `duplicate_task`); its"
                            + " UUID is in the extension member `existing_task_uuid`.")
    @APIResponse(responseCode = "413", ref = ApiDocument.CONTENT_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    @APIResponse(responseCode = "503", ref = ApiDocument.SERVICE_UNAVAILABLE)
    public Uni<RestResponse<Task>> create(String body) {
        CreateTaskRequest request = TaskService.read(ApiException.parseJsonBody(body));
        return callers.current()
                .invoke(caller -> caller.requireNamespace(request.namespace()))
                .chain(() -> tasks.createTask(request))
                .map(
                        task ->
                                RestResponse.ResponseBuilder.<Task>created(
                                                URI.create(
                                                        "/v1/tasks/" + task.summary().taskUuid()))
                                        .entity(task)
                                        .build());
    }

    @GET
    @RolesAllowed(Roles.TASKS_READ)
    @Operation(
            operationId = "listTasks",
            summary = "List tasks, newest first",
            description = "A caller limited to namespaces sees only the tasks of those.")
    @APIResponse(responseCode = "200", description = "One page of tasks (summary fields).")
    @APIResponse(
            responseCode = "400",
            description =
                    "A filter is invalid (code `invalid_filter`): unknown status, unparsable time,"
                            + " limit or offset out of range.")
    public Uni<TaskPage> list(
            @Parameter(description = "Only tasks of this namespace.") @QueryParam("namespace")
                    String namespace,
            @Parameter(description = "Only tasks of this template name.") @QueryParam("name")
                    String name,
            @Parameter(
                            description = "Only tasks in this state.",
                            schema = @Schema(implementation = TaskState.class))
                    @QueryParam("status")
                    String status,
            @Parameter(
                            description =
                                    "Only tasks created at or after this instant (ISO-8601 with"
                                            + " offset).",
                            schema = @Schema(type = SchemaType.STRING, format = "date-time"))
                    @QueryParam("created_after")
                    String createdAfter,
            @Parameter(
                            description =
                                    "Only tasks created before this instant (ISO-8601 with offset).",
                            schema = @Schema(type = SchemaType.STRING, format = "date-time"))
                    @QueryParam("created_before")
                    String createdBefore,
            @Parameter(
                            description =
                                    "Page size (default `tasker.api.default-page-size`, 50; at most"
                                            + " `tasker.api.max-page-size`, 500).",
                            schema = @Schema(minimum = "1"))
                    @QueryParam("limit")
                    Integer limit,
            @Parameter(description = "Number of tasks to skip.", schema = @Schema(minimum = "0"))
                    @QueryParam("offset")
                    Integer offset) {
        TaskState state = state(status);
        int size =
                ParameterChecks.limit(
                        limit, config.api().defaultPageSize(), config.api().maxPageSize());
        int from = offset == null ? 0 : offset;
        if (from < 0) {
            throw ApiException.badRequest(
                    "invalid_filter", "offset must not be negative", List.of("offset < 0"));
        }
        OffsetDateTime after = time("created_after", createdAfter);
        OffsetDateTime before = time("created_before", createdBefore);
        return callers.current()
                .map(
                        caller ->
                                new TaskFilter(
                                        namespace,
                                        name,
                                        state,
                                        after,
                                        before,
                                        size + 1,
                                        from,
                                        caller.namespaceFilter()))
                .chain(filter -> queries.listTasks(pool, filter))
                .map(rows -> page(rows, size, from));
    }

    private static TaskPage page(List<TaskSummary> rows, int size, int from) {
        // One row more than the page was read: its presence says whether a next page exists.
        List<TaskSummary> items = rows.size() > size ? rows.subList(0, size) : rows;
        return new TaskPage(items, new Pagination(size, from, items.size(), rows.size() > size));
    }

    @GET
    @Path("/{task_uuid}")
    @RolesAllowed(Roles.TASKS_READ)
    @Operation(
            operationId = "getTask",
            summary = "Read a task",
            description =
                    "The task with its context, identity hash, execution summary and every step.")
    @APIResponse(responseCode = "200", description = "The task.")
    @APIResponse(responseCode = "404", ref = ApiDocument.TASK_NOT_FOUND)
    public Uni<Task> get(@PathParam("task_uuid") String taskUuid) {
        UUID id = uuid("task_uuid", taskUuid);
        return callers.current()
                .chain(
                        caller ->
                                queries.findTask(pool, id)
                                        .map(
                                                found ->
                                                        found.filter(
                                                                        t ->
                                                                                caller.mayUse(
                                                                                        t.summary()
                                                                                                .namespace()))
                                                                .orElseThrow(
                                                                        () -> taskNotFound(id))));
    }

    /** Cancels the task and its unfinished steps; 409 when it has already finished. */
    @DELETE
    @Path("/{task_uuid}")
    @RolesAllowed(Roles.TASKS_OPERATE)
    @Operation(
            operationId = "cancelTask",
            summary = "Cancel a task",
            description =
                    "Moves the task and every step of it that has not finished to `cancelled`, in"
                            + " one transaction. Results that arrive later for its steps are"
                            + " discarded.")
    @APIResponse(responseCode = "200", description = "The cancelled task.")
    @APIResponse(responseCode = "404", ref = ApiDocument.TASK_NOT_FOUND)
    @APIResponse(
            responseCode = "409",
            description =
                    "The task has already finished: complete, error, cancelled or resolved"
                            + " manually (code `task_not_cancellable`).")
    public Uni<Task> cancel(
            @PathParam("task_uuid") String taskUuid,
            @Parameter(description = "Why the task is cancelled (recorded in the transitions).")
                    @QueryParam("reason")
                    String reason,
            @Parameter(
                            description =
                                    "On whose behalf the caller cancels it: added to the recorded"
                                            + " reason. The actor recorded is always the"
                                            + " authenticated caller.")
                    @QueryParam("actor")
                    String actor) {
        UUID id = uuid("task_uuid", taskUuid);
        return requireTask(id)
                .chain(
                        caller ->
                                tasks.cancelTask(
                                        id, caller.reasonWith(reason, actor), caller.actor()));
    }

    @PATCH
    @Path("/{task_uuid}/workflow_steps/{step_uuid}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.TASKS_OPERATE)
    @Tag(name = "steps")
    @Operation(
            operationId = "operateWorkflowStep",
            summary = "Operator action on a step",
            description =
                    "In one transaction: applies the action (recording who and why in the step's"
                            + " transitions), resumes the task and re-evaluates it.\n\n"
                            + "* `reset_for_retry`: a step in `error` goes back to `pending` with"
                            + " its attempts reset, and is enqueued again when its dependencies"
                            + " are satisfied.\n"
                            + "* `resolve_manually`: the step is `resolved_manually`; it"
                            + " satisfies its dependents.\n"
                            + "* `complete_manually`: the step is `complete` with the given"
                            + " `result`, which is handed to its dependent steps.\n\n"
                            + "The actor recorded is the authenticated caller; an `actor` in the"
                            + " body is only added to the recorded reason.")
    @RequestBody(
            required = true,
            content = @Content(schema = @Schema(implementation = StepActionRequest.class)))
    @APIResponse(responseCode = "200", description = "The step after the action.")
    @APIResponse(
            responseCode = "400",
            description =
                    "The request is invalid. Codes: `invalid_uuid`, `malformed_json`,"
                            + " `invalid_request` (body is not an object), `invalid_step_action`"
                            + " (every problem in `errors`: unknown action, missing reason,"
                            + " complete_manually without result).")
    @APIResponse(responseCode = "404", ref = ApiDocument.STEP_NOT_FOUND)
    @APIResponse(
            responseCode = "409",
            description =
                    "The action is not allowed in the step's current state (code"
                            + " `step_action_not_allowed`, e.g. reset_for_retry of a step that is"
                            + " not in error), or the task has already finished (code"
                            + " `task_not_active`).")
    @APIResponse(responseCode = "413", ref = ApiDocument.CONTENT_TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    public Uni<Step> operate(
            @PathParam("task_uuid") String taskUuid,
            @PathParam("step_uuid") String stepUuid,
            String body) {
        UUID id = uuid("task_uuid", taskUuid);
        UUID step = uuid("step_uuid", stepUuid);
        StepActionRequest request = StepOperations.read(ApiException.parseJsonBody(body));
        return requireTask(id)
                .chain(
                        caller ->
                                steps.operate(
                                        id,
                                        step,
                                        new StepActionRequest(
                                                request.action(),
                                                caller.actor(),
                                                caller.reasonWith(
                                                        request.reason(), request.actor()),
                                                request.result())));
    }

    @GET
    @Path("/{task_uuid}/workflow_steps")
    @RolesAllowed(Roles.TASKS_READ)
    @Tag(name = "steps")
    @Operation(operationId = "listWorkflowSteps", summary = "List the steps of a task")
    @APIResponse(responseCode = "200", description = "Every step of the task, in template order.")
    @APIResponse(responseCode = "404", ref = ApiDocument.TASK_NOT_FOUND)
    public Uni<StepList> steps(@PathParam("task_uuid") String taskUuid) {
        UUID id = uuid("task_uuid", taskUuid);
        return requireTask(id).chain(() -> queries.listSteps(pool, id, null)).map(StepList::new);
    }

    @GET
    @Path("/{task_uuid}/workflow_steps/{step_uuid}")
    @RolesAllowed(Roles.TASKS_READ)
    @Tag(name = "steps")
    @Operation(operationId = "getWorkflowStep", summary = "Read one step of a task")
    @APIResponse(responseCode = "200", description = "The step, with its attempt history.")
    @APIResponse(responseCode = "404", ref = ApiDocument.STEP_NOT_FOUND)
    public Uni<Step> step(
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
                            return steps.get(0);
                        });
    }

    @GET
    @Path("/{task_uuid}/transitions")
    @RolesAllowed(Roles.TASKS_READ)
    @Operation(
            operationId = "listTransitions",
            summary = "Audit trail of a task",
            description =
                    "Every state transition of the task and of its steps, with reasons and"
                            + " metadata.")
    @APIResponse(responseCode = "200", description = "The transitions, oldest first.")
    @APIResponse(responseCode = "404", ref = ApiDocument.TASK_NOT_FOUND)
    public Uni<Transitions> transitions(@PathParam("task_uuid") String taskUuid) {
        UUID id = uuid("task_uuid", taskUuid);
        return requireTask(id).chain(() -> queries.listTransitions(pool, id));
    }

    /**
     * The caller, once the task is known to exist in a namespace it may use; otherwise 404 {@code
     * task_not_found} (a task of another namespace is not revealed).
     */
    private Uni<Caller> requireTask(UUID id) {
        return callers.current()
                .call(
                        caller ->
                                queries.findNamespace(pool, id)
                                        .invoke(
                                                namespace -> {
                                                    if (namespace.isEmpty()
                                                            || !caller.mayUse(namespace.get())) {
                                                        throw taskNotFound(id);
                                                    }
                                                }));
    }

    private static ApiException taskNotFound(UUID id) {
        return ApiException.notFound("task_not_found", "no task " + id);
    }

    private static TaskState state(String status) {
        return ParameterChecks.parse(
                status,
                v -> WireValue.parse(TaskState.class, v, "task state"),
                () ->
                        ApiException.badRequest(
                                "invalid_filter",
                                "unknown status '" + status + "'",
                                List.of("status must be a task state")));
    }

    static UUID uuid(String name, String value) {
        return ParameterChecks.parse(
                value,
                UUID::fromString,
                () ->
                        ApiException.badRequest(
                                "invalid_uuid",
                                name + " '" + value + "' is not a UUID",
                                List.of(name + " must be a UUID")));
    }

    private static OffsetDateTime time(String name, String value) {
        return ParameterChecks.parse(
                value,
                OffsetDateTime::parse,
                () ->
                        ApiException.badRequest(
                                "invalid_filter",
                                name + " must be an ISO-8601 timestamp with offset",
                                List.of(name + " '" + value + "' cannot be parsed")));
    }
}

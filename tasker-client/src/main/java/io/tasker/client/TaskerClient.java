package io.tasker.client;

import static io.tasker.client.Transport.segment;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.api.CreateTaskRequest;
import io.tasker.messages.api.DlqEntry;
import io.tasker.messages.api.DlqList;
import io.tasker.messages.api.DlqResolutionRequest;
import io.tasker.messages.api.DlqResolutionStatus;
import io.tasker.messages.api.QueueList;
import io.tasker.messages.api.Step;
import io.tasker.messages.api.StepActionRequest;
import io.tasker.messages.api.StepList;
import io.tasker.messages.api.Task;
import io.tasker.messages.api.TaskPage;
import io.tasker.messages.api.Template;
import io.tasker.messages.api.TemplateList;
import io.tasker.messages.api.TemplateRegistration;
import io.tasker.messages.api.Transitions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A client of the orchestrator's task API ({@code /v1}) on the shared wire records of {@code
 * io.tasker.messages.api}. One instance holds one JDK {@code HttpClient} (HTTP/1.1, connections
 * kept alive and reused) and is safe to share between threads; create it once.
 *
 * <p>Every method blocks until the answer is read. An error status throws {@link
 * TaskerApiException} with the decoded problem; no answer at all (refused, broken, timed out)
 * throws {@link TaskerConnectionException}. Nothing is retried by the client.
 *
 * <p>Answers are read leniently so that this client keeps working beside a newer orchestrator:
 * members it does not know are skipped, and enum values it does not know read as null.
 */
public final class TaskerClient {

    private final TaskerClientOptions options;
    private final Transport transport;

    private TaskerClient(TaskerClientOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.transport = new Transport(options, mapper());
    }

    /** A client with the given options. */
    public static TaskerClient create(TaskerClientOptions options) {
        return new TaskerClient(options);
    }

    /** A client with default options for the orchestrator at {@code baseUri}. */
    public static TaskerClient create(URI baseUri) {
        return create(TaskerClientOptions.builder(baseUri).build());
    }

    /** A client with default options for the orchestrator at {@code baseUri}. */
    public static TaskerClient create(String baseUri) {
        return create(URI.create(baseUri));
    }

    public TaskerClientOptions options() {
        return options;
    }

    // --- tasks ----------------------------------------------------------------------------------

    /**
     * Creates a task ({@code POST /v1/tasks}; 201). The same request again is a 409 {@code
     * duplicate_task} under the template's identity strategy, whose problem carries {@code
     * existing_task_uuid}.
     */
    public Task createTask(CreateTaskRequest request) {
        Objects.requireNonNull(request, "request");
        return transport.call("POST", "/v1/tasks", null).json(request).send(Task.class);
    }

    /** The task with its steps and execution summary ({@code GET /v1/tasks/{task_uuid}}). */
    public Task getTask(UUID taskUuid) {
        return transport.call("GET", taskPath(taskUuid), null).send(Task.class);
    }

    /** One page of tasks, newest first ({@code GET /v1/tasks}). */
    public TaskPage listTasks(TaskFilter filter) {
        Objects.requireNonNull(filter, "filter");
        return transport.call("GET", "/v1/tasks", filter.query()).send(TaskPage.class);
    }

    /**
     * Cancels a task and its unfinished steps ({@code DELETE /v1/tasks/{task_uuid}}) on behalf of
     * the API's default actor; a finished task is a 409.
     */
    public Task cancelTask(UUID taskUuid, String reason) {
        return cancelTask(taskUuid, reason, null);
    }

    /** Cancels a task, recording who cancels it ({@code actor}, or the API's default when null). */
    public Task cancelTask(UUID taskUuid, String reason, String actor) {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("reason", reason);
        query.put("actor", actor);
        return transport.call("DELETE", taskPath(taskUuid), query).send(Task.class);
    }

    /** The task's steps by position ({@code GET /v1/tasks/{task_uuid}/workflow_steps}). */
    public List<Step> steps(UUID taskUuid) {
        return transport
                .call("GET", taskPath(taskUuid) + "/workflow_steps", null)
                .send(StepList.class)
                .workflowSteps();
    }

    /** One step of a task ({@code GET /v1/tasks/{task_uuid}/workflow_steps/{step_uuid}}). */
    public Step step(UUID taskUuid, UUID stepUuid) {
        return transport.call("GET", stepPath(taskUuid, stepUuid), null).send(Step.class);
    }

    /** The task's audit trail ({@code GET /v1/tasks/{task_uuid}/transitions}). */
    public Transitions transitions(UUID taskUuid) {
        return transport
                .call("GET", taskPath(taskUuid) + "/transitions", null)
                .send(Transitions.class);
    }

    /**
     * An operator's action on a step ({@code PATCH
     * /v1/tasks/{task_uuid}/workflow_steps/{step_uuid}}) and the step afterwards; an action the
     * step's or task's state does not allow is a 409.
     */
    public Step operateStep(UUID taskUuid, UUID stepUuid, StepActionRequest request) {
        Objects.requireNonNull(request, "request");
        return transport
                .call("PATCH", stepPath(taskUuid, stepUuid), null)
                .json(request)
                .send(Step.class);
    }

    /** Runs a failed step again from a new attempt generation; the task resumes. */
    public Step resetStep(UUID taskUuid, UUID stepUuid, String actor, String reason) {
        return operateStep(taskUuid, stepUuid, StepActionRequest.resetForRetry(actor, reason));
    }

    /** Settles a failed step without a result, so that its dependents may run. */
    public Step resolveStep(UUID taskUuid, UUID stepUuid, String actor, String reason) {
        return operateStep(taskUuid, stepUuid, StepActionRequest.resolveManually(actor, reason));
    }

    /** Completes a failed step with {@code result}, which its dependents receive. */
    public Step completeStep(
            UUID taskUuid, UUID stepUuid, JsonNode result, String actor, String reason) {
        return operateStep(
                taskUuid, stepUuid, StepActionRequest.completeManually(actor, reason, result));
    }

    /**
     * Reads the task every {@code poll} until it is in a terminal state ({@code complete}, {@code
     * error}, {@code cancelled}, {@code resolved_manually}) and returns it. Throws {@link
     * TaskAwaitTimeoutException}, carrying the task as last read, when {@code timeout} passes
     * first; an error answer or a connection failure while polling ends the wait at once. A status
     * this client does not know counts as still active.
     */
    public Task awaitTask(UUID taskUuid, Duration timeout, Duration poll) {
        Objects.requireNonNull(taskUuid, "taskUuid");
        if (timeout.isNegative() || poll.isNegative() || poll.isZero()) {
            throw new IllegalArgumentException(
                    "timeout must not be negative and poll must be positive");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Task task = getTask(taskUuid);
            // A state this client does not know (null) is not taken for the end.
            if (task.summary().status() != null && task.summary().status().isTerminal()) {
                return task;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TaskAwaitTimeoutException(taskUuid, timeout, task);
            }
            sleep(Math.min(left, poll.toNanos()));
        }
    }

    // --- templates ------------------------------------------------------------------------------

    /**
     * Registers a template written in YAML or JSON (told apart by {@link TemplateFormat#detect}):
     * {@code created} is true for a new version and false when the identical one already was; a
     * different document under the same version is a 409.
     */
    public TemplateRegistration registerTemplate(String document) {
        return registerTemplate(document, TemplateFormat.detect(document));
    }

    /** Registers a template written in the given format. */
    public TemplateRegistration registerTemplate(String document, TemplateFormat format) {
        Objects.requireNonNull(document, "document");
        return transport
                .call("POST", "/v1/templates", null)
                .body(format.mediaType(), document.getBytes(StandardCharsets.UTF_8))
                .send(TemplateRegistration.class);
    }

    /** Every registered template version. */
    public TemplateList listTemplates() {
        return listTemplates(null);
    }

    /** The registered template versions of one namespace (every one when null). */
    public TemplateList listTemplates(String namespace) {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("namespace", namespace);
        return transport.call("GET", "/v1/templates", query).send(TemplateList.class);
    }

    /** One template version with its stored document. */
    public Template getTemplate(String namespace, String name, String version) {
        return transport
                .call(
                        "GET",
                        "/v1/templates/"
                                + segment(namespace)
                                + "/"
                                + segment(name)
                                + "/"
                                + segment(version),
                        null)
                .send(Template.class);
    }

    // --- operations -----------------------------------------------------------------------------

    /** Depth and age of every queue, with totals ({@code GET /v1/queues}). */
    public QueueList queues() {
        return transport.call("GET", "/v1/queues", null).send(QueueList.class);
    }

    /**
     * DLQ entries, newest first ({@code GET /v1/dlq}): of one resolution status (every one when
     * null), at most {@code limit} (the orchestrator's default when null).
     */
    public DlqList dlqEntries(DlqResolutionStatus status, Integer limit) {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("resolution_status", status == null ? null : status.wire());
        query.put("limit", limit);
        return transport.call("GET", "/v1/dlq", query).send(DlqList.class);
    }

    /** Records how a DLQ entry's investigation stands ({@code PATCH /v1/dlq/{entry_uuid}}). */
    public DlqEntry resolveDlqEntry(UUID entryUuid, DlqResolutionRequest request) {
        Objects.requireNonNull(entryUuid, "entryUuid");
        Objects.requireNonNull(request, "request");
        return transport
                .call("PATCH", "/v1/dlq/" + segment(entryUuid), null)
                .json(request)
                .send(DlqEntry.class);
    }

    // --- internals ------------------------------------------------------------------------------

    private static String taskPath(UUID taskUuid) {
        return "/v1/tasks/" + segment(Objects.requireNonNull(taskUuid, "taskUuid"));
    }

    private static String stepPath(UUID taskUuid, UUID stepUuid) {
        return taskPath(taskUuid)
                + "/workflow_steps/"
                + segment(Objects.requireNonNull(stepUuid, "stepUuid"));
    }

    /**
     * The shared mapper's exact numbers, tolerant of what a newer orchestrator adds to its answers:
     * unknown members are skipped and an enum value this client does not know (a new state or
     * attempt outcome) reads as null instead of failing the whole answer.
     */
    private static ObjectMapper mapper() {
        return JsonSupport.MAPPER
                .copy()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL);
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskerClientException("interrupted while waiting for a task", e);
        }
    }
}

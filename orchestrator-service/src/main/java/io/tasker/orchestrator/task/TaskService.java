package io.tasker.orchestrator.task;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.QueueNames;
import io.tasker.messages.api.CreateTaskRequest;
import io.tasker.messages.api.Task;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.metrics.LifecycleMetrics;
import io.tasker.orchestrator.queue.NamespaceBacklog;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.orchestrator.task.TaskRepository.NewTask;
import io.tasker.orchestrator.template.InputSchemas;
import io.tasker.orchestrator.template.TemplateRepository.StoredTemplate;
import io.tasker.orchestrator.template.TemplateService;
import io.tasker.queue.LogContext;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Creates and cancels tasks: request checks, template lookup, context validation, identity, one
 * transaction per command.
 */
@ApplicationScoped
public class TaskService {

    private static final Logger LOG = Logger.getLogger(TaskService.class);
    private static final Pattern VERSION = Pattern.compile("^[0-9]+\\.[0-9]+\\.[0-9]+$");
    private static final Set<String> FIELDS =
            Set.of(
                    "namespace",
                    "name",
                    "version",
                    "context",
                    "idempotency_key",
                    "priority",
                    "initiator",
                    "source_system",
                    "reason",
                    "tags",
                    "correlation_id");

    // Cancels the task and its unfinished steps under the task row lock (see the migration):
    // $1 task uuid, $2 operator's reason (may be null), $3 actor recorded in the transitions.
    private static final String CANCEL = "SELECT tasker.cancel_task($1::uuid, $2::text, $3::text)";

    @Inject Pool pool;
    @Inject TemplateService templates;
    @Inject InputSchemas schemas;
    @Inject TaskRepository repository;
    @Inject TaskQueries queries;
    @Inject LifecycleMetrics metrics;
    @Inject NamespaceBacklog backlog;
    @Inject OrchestratorConfig config;

    /**
     * Creates a task and enqueues its root steps; returns the task view. The request is one that
     * {@link #read} checked: context, priority and tags are filled in.
     */
    public Uni<Task> createTask(CreateTaskRequest request) {
        backlog.requireCapacity(request.namespace());
        String contextJson = sizeCheckedJson(request.context());
        return templates
                .resolve(request.namespace(), request.name(), request.version())
                // Steps may run in other namespaces (a step's own namespace): their queues too.
                .invoke(template -> template.stepNamespaces().forEach(backlog::requireCapacity))
                .call(template -> schemas.requireValidContext(template, request.context()))
                .chain(template -> create(template, request, contextJson));
    }

    private Uni<Task> create(
            StoredTemplate template, CreateTaskRequest request, String contextJson) {
        String identity = identityHash(template, request);
        NewTask task =
                new NewTask(
                        template.namedTaskUuid(),
                        contextJson,
                        identity,
                        request.priority(),
                        request.correlationId() == null
                                ? UUID.randomUUID()
                                : request.correlationId(),
                        request.initiator(),
                        request.sourceSystem(),
                        request.reason(),
                        JsonSupport.MAPPER.valueToTree(request.tags()));
        // One connection for the insert and the read-back: a busy pool can then only refuse the
        // request before anything is written (503), never answer an error for a task it created.
        return pool.withConnection(connection -> insertAndRead(connection, template, task))
                .map(found -> found.orElseThrow());
    }

    private Uni<Optional<Task>> insertAndRead(
            SqlConnection connection, StoredTemplate template, NewTask task) {
        // One statement, so one implicit transaction: the function writes task, steps, edges,
        // transitions and the root messages atomically without a BEGIN/COMMIT round trip each.
        return repository
                .callCreateTask(connection, task)
                .onFailure(TaskService::isDuplicateIdentity)
                .recoverWithUni(e -> duplicate(connection, template, task.identityHash()))
                .invoke(uuid -> metrics.taskCreated(template.namespace(), template.name()))
                .invoke(
                        uuid ->
                                LogContext.run(
                                        uuid,
                                        null,
                                        task.correlationId(),
                                        () ->
                                                LOG.infof(
                                                        "task %s created from %s/%s@%s correlation_id=%s",
                                                        uuid,
                                                        template.namespace(),
                                                        template.name(),
                                                        template.version(),
                                                        task.correlationId())))
                .chain(uuid -> queries.findTask(connection, uuid));
    }

    private Uni<UUID> duplicate(
            SqlConnection connection, StoredTemplate template, String identity) {
        return repository
                .findByIdentity(connection, identity)
                .map(
                        existing -> {
                            throw ApiException.conflict(
                                    "duplicate_task",
                                    "a task with the same identity already exists (identity strategy "
                                            + template.identityStrategy()
                                            + ")",
                                    existing.<Map<String, Object>>map(
                                                    u -> Map.of("existing_task_uuid", u.toString()))
                                            .orElse(Map.of()));
                        });
    }

    /**
     * Cancels a task and every step of it not yet finished; returns the task view. Results that
     * arrive later for its steps are discarded by the SQL functions.
     */
    public Uni<Task> cancelTask(UUID taskUuid, String reason, String actor) {
        return pool.withTransaction(
                        tx ->
                                tx.preparedQuery(CANCEL)
                                        .execute(Tuple.of(taskUuid, reason, actor))
                                        .map(rows -> rows.iterator().next().getString(0)))
                .invoke(outcome -> checkCancelled(taskUuid, outcome))
                .invoke(
                        outcome ->
                                LOG.infof(
                                        "task %s cancelled by %s reason=%s",
                                        taskUuid, actor, reason))
                .chain(() -> queries.findTask(pool, taskUuid))
                .map(found -> found.orElseThrow());
    }

    /** The context as the JSON that is stored, refused when it is over the size limit. */
    private String sizeCheckedJson(JsonNode context) {
        String json = JsonSupport.write(context);
        long bytes = JsonSupport.utf8Length(json);
        if (bytes > config.api().maxContextBytes()) {
            throw new ApiException(
                    400,
                    "context_too_large",
                    "Bad request",
                    "$.context: the context has "
                            + bytes
                            + " bytes of JSON; the limit is "
                            + config.api().maxContextBytes()
                            + " (tasker.api.max-context-bytes)",
                    List.of("context has " + bytes + " bytes"),
                    Map.of(
                            "json_path",
                            "$.context",
                            "max_context_bytes",
                            config.api().maxContextBytes()));
        }
        return json;
    }

    private static void checkCancelled(UUID taskUuid, String outcome) {
        switch (outcome) {
            case "cancelled" -> {}
            case "not_found" ->
                    throw ApiException.notFound("task_not_found", "no task " + taskUuid);
            case "terminal" ->
                    throw ApiException.conflict(
                            "task_not_cancellable",
                            "task "
                                    + taskUuid
                                    + " is already complete, in error, cancelled or resolved"
                                    + " manually",
                            Map.of());
            default -> throw new IllegalStateException("tasker.cancel_task returned " + outcome);
        }
    }

    private static boolean isDuplicateIdentity(Throwable e) {
        return e instanceof PgException pg
                && "23505".equals(pg.getSqlState())
                && String.valueOf(pg.getMessage()).contains("identity_hash");
    }

    static String identityHash(StoredTemplate template, CreateTaskRequest request) {
        String strategy = template.identityStrategy();
        if ("always_unique".equals(strategy)) {
            return JsonSupport.sha256Hex(template.namedTaskUuid() + ":unique:" + UUID.randomUUID());
        }
        if (request.idempotencyKey() != null) {
            return JsonSupport.sha256Hex(
                    template.namedTaskUuid() + ":key:" + request.idempotencyKey());
        }
        if ("caller_provided".equals(strategy)) {
            throw ApiException.badRequest(
                    "idempotency_key_required",
                    "template "
                            + template.namespace()
                            + "/"
                            + template.name()
                            + " uses the caller_provided identity strategy: idempotency_key is required",
                    List.of("idempotency_key is required"));
        }
        return JsonSupport.sha256Hex(
                template.namedTaskUuid() + ":context:" + JsonSupport.canonical(request.context()));
    }

    /**
     * Maps a parsed request body to the creation request, listing every problem at once (400 {@code
     * invalid_request}); fills in the defaults (empty context and tags, priority 0).
     */
    public static CreateTaskRequest read(JsonNode body) {
        List<String> problems = new ArrayList<>();
        ApiException.requireObject(body, "the request body must be a JSON object");
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!FIELDS.contains(key)) {
                problems.add("unknown field '" + key + "'");
            }
        }
        String namespace = requiredText(body, "namespace", problems);
        if (namespace != null && !QueueNames.isValidNamespace(namespace)) {
            problems.add(
                    "namespace '" + namespace + "' must match " + QueueNames.NAMESPACE.pattern());
        }
        String name = requiredText(body, "name", problems);
        String version = optionalText(body, "version", problems);
        if (version != null && !VERSION.matcher(version).matches()) {
            problems.add("version '" + version + "' must be MAJOR.MINOR.PATCH");
        }
        JsonNode context = body.get("context");
        if (context == null || context.isNull()) {
            context = JsonSupport.object();
        } else if (!context.isObject()) {
            problems.add("context must be a JSON object");
        }
        String key = optionalText(body, "idempotency_key", problems);
        if (key != null && key.length() > 255) {
            problems.add("idempotency_key must be at most 255 characters");
        }
        int priority = 0;
        JsonNode p = body.get("priority");
        if (p != null && !p.isNull()) {
            if (!p.isIntegralNumber() || !p.canConvertToInt()) {
                problems.add("priority must be an integer");
            } else {
                priority = p.asInt();
            }
        }
        List<String> tags = new ArrayList<>();
        JsonNode tagNode = body.get("tags");
        if (tagNode != null && !tagNode.isNull()) {
            if (!tagNode.isArray()) {
                problems.add("tags must be a list of strings");
            } else {
                tagNode.forEach(
                        t -> {
                            if (!t.isTextual()) {
                                problems.add("tags must be a list of strings");
                            } else {
                                tags.add(t.textValue());
                            }
                        });
            }
        }
        UUID correlation = null;
        String c = optionalText(body, "correlation_id", problems);
        if (c != null) {
            try {
                correlation = UUID.fromString(c);
            } catch (IllegalArgumentException e) {
                problems.add("correlation_id must be a UUID");
            }
        }
        String initiator = optionalText(body, "initiator", problems);
        String source = optionalText(body, "source_system", problems);
        String reason = optionalText(body, "reason", problems);
        ApiException.requireNoProblems("invalid_request", "task request", problems);
        return new CreateTaskRequest(
                namespace,
                name,
                version,
                context,
                key,
                priority,
                initiator,
                source,
                reason,
                List.copyOf(tags),
                correlation);
    }

    private static String requiredText(JsonNode body, String field, List<String> problems) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            problems.add(field + " is required");
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            problems.add(field + " must be a non-empty string");
            return null;
        }
        return v.asText();
    }

    private static String optionalText(JsonNode body, String field, List<String> problems) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            problems.add(field + " must be a string");
            return null;
        }
        return v.asText();
    }
}

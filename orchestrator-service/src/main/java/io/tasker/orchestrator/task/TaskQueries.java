package io.tasker.orchestrator.task;

import com.fasterxml.jackson.core.type.TypeReference;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.TaskState;
import io.tasker.messages.api.Step;
import io.tasker.messages.api.Task;
import io.tasker.messages.api.TaskSummary;
import io.tasker.messages.api.Transitions;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.rest.JsonViews;
import io.tasker.orchestrator.worker.WorkerQueries;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The read side of tasks. PostgreSQL builds each view as one jsonb document in one query (a task
 * with its steps, their dependencies and attempts is one round trip), and {@link JsonViews} decodes
 * it into the API record.
 */
@ApplicationScoped
public class TaskQueries {

    private static final String STEP_JSON =
            """
            jsonb_build_object(
                'workflow_step_uuid', ws.workflow_step_uuid,
                'task_uuid', ws.task_uuid,
                'name', ws.name,
                'position', ws.position,
                'handler', ws.handler,
                'namespace', coalesce(ws.namespace,
                                      (SELECT t.namespace FROM tasker.tasks t WHERE t.task_uuid = ws.task_uuid)),
                'status', ws.current_state,
                'attempts', ws.attempts,
                'max_attempts', ws.max_attempts,
                'retryable', ws.retryable,
                'timeout_seconds', ws.timeout_seconds,
                'config', ws.config,
                'results', ws.results,
                'last_error', ws.last_error,
                'next_retry_at', ws.next_retry_at,
                'claimed_by', ws.claimed_by,
                'lease_expires_at', ws.lease_expires_at,
                'created_at', ws.created_at,
                'updated_at', ws.updated_at,
                'completed_at', ws.completed_at,
                'depends_on', (SELECT coalesce(jsonb_agg(p.name ORDER BY p.name), '[]'::jsonb)
                                 FROM tasker.workflow_step_edges e
                                 JOIN tasker.workflow_steps p ON p.workflow_step_uuid = e.from_step_uuid
                                WHERE e.to_step_uuid = ws.workflow_step_uuid),
                'attempt_history', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                             'generation', a.generation,
                                             'attempt', a.attempt, 'worker_id', a.worker_id,
                                             'started_at', a.started_at, 'finished_at', a.finished_at,
                                             'outcome', a.outcome, 'error', a.error)
                                             ORDER BY a.generation, a.attempt), '[]'::jsonb)
                                      FROM tasker.workflow_step_attempts a
                                     WHERE a.workflow_step_uuid = ws.workflow_step_uuid))
            """;

    private static final String TASK_FIELDS =
            """
                'task_uuid', t.task_uuid,
                'namespace', t.namespace,
                'name', t.name,
                'version', t.version,
                'status', t.current_state,
                'priority', t.priority,
                'correlation_id', t.correlation_id,
                'initiator', t.initiator,
                'source_system', t.source_system,
                'reason', t.reason,
                'tags', t.tags,
                'created_at', t.created_at,
                'updated_at', t.updated_at,
                'completed_at', t.completed_at
            """;

    // $1 task, $2 worker live timeout (s), $3 waiting-for-workers threshold (s)
    static final String TASK =
            "SELECT jsonb_build_object("
                    + TASK_FIELDS
                    + """
                    ,
                    'context', t.context,
                    'identity_hash', t.identity_hash,
                    'execution_summary', (SELECT to_jsonb(s) || jsonb_build_object('waiting_for_workers',
                                                 tasker.task_waiting_for_workers(t.task_uuid, $2::float8, $3::float8))
                                            FROM tasker.task_execution_summary(t.task_uuid) s),
                    'steps', (SELECT coalesce(jsonb_agg("""
                    + STEP_JSON
                    + """
                     ORDER BY ws.position, ws.workflow_step_uuid), '[]'::jsonb)
                                FROM tasker.workflow_steps ws WHERE ws.task_uuid = t.task_uuid)
                    )::text
                    FROM tasker.tasks t WHERE t.task_uuid = $1::uuid
                    """;

    static final String STEPS =
            "SELECT coalesce(jsonb_agg("
                    + STEP_JSON
                    + " ORDER BY ws.position, ws.workflow_step_uuid), '[]'::jsonb)::text"
                    + " FROM tasker.workflow_steps ws WHERE ws.task_uuid = $1::uuid"
                    + " AND ($2::uuid IS NULL OR ws.workflow_step_uuid = $2::uuid)";

    private static final String NAMESPACE =
            "SELECT namespace FROM tasker.tasks WHERE task_uuid = $1::uuid";

    static final String TRANSITIONS =
            """
            SELECT jsonb_build_object(
                'task_transitions', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'from_state', tt.from_state, 'to_state', tt.to_state, 'reason', tt.reason,
                        'metadata', tt.metadata, 'most_recent', tt.most_recent, 'sort_key', tt.sort_key,
                        'created_at', tt.created_at) ORDER BY tt.sort_key), '[]'::jsonb)
                    FROM tasker.task_transitions tt WHERE tt.task_uuid = $1::uuid),
                'step_transitions', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'workflow_step_uuid', st.workflow_step_uuid, 'step_name', ws.name,
                        'from_state', st.from_state, 'to_state', st.to_state, 'reason', st.reason,
                        'metadata', st.metadata, 'most_recent', st.most_recent, 'sort_key', st.sort_key,
                        'created_at', st.created_at) ORDER BY st.created_at, ws.name, st.sort_key), '[]'::jsonb)
                    FROM tasker.workflow_step_transitions st
                    JOIN tasker.workflow_steps ws ON ws.workflow_step_uuid = st.workflow_step_uuid
                   WHERE st.task_uuid = $1::uuid))::text
            """;

    // Newest first; keyset-free paging by offset keeps the API simple for operators.
    static final String LIST =
            "SELECT jsonb_build_object("
                    + TASK_FIELDS
                    + """
                    )::text
                      FROM tasker.tasks t
                     WHERE ($1::text IS NULL OR t.namespace = $1::text)
                       AND ($2::text IS NULL OR t.name = $2::text)
                       AND ($3::text IS NULL OR t.current_state = $3::text)
                       AND ($4::timestamptz IS NULL OR t.created_at >= $4::timestamptz)
                       AND ($5::timestamptz IS NULL OR t.created_at < $5::timestamptz)
                       AND ($8::text[] IS NULL OR t.namespace = ANY($8::text[]))
                     ORDER BY t.created_at DESC, t.task_uuid DESC
                     LIMIT $6::integer OFFSET $7::integer
                    """;

    /**
     * Filters of the task list; {@code scope} is the caller's namespaces (null: every namespace).
     */
    public record TaskFilter(
            String namespace,
            String name,
            TaskState status,
            OffsetDateTime createdAfter,
            OffsetDateTime createdBefore,
            int limit,
            int offset,
            List<String> scope) {}

    private static final TypeReference<List<Step>> STEP_LIST = new TypeReference<>() {};

    @Inject OrchestratorConfig config;

    public Uni<Optional<Task>> findTask(SqlClient client, UUID taskUuid) {
        OrchestratorConfig.Workers workers = config.workers();
        return client.preparedQuery(TASK)
                .execute(
                        Tuple.of(
                                taskUuid,
                                WorkerQueries.seconds(workers.liveTimeout()),
                                WorkerQueries.seconds(workers.waitingAfter())))
                .map(rows -> JsonViews.first(rows, Task.class));
    }

    /** The task's namespace, or empty when there is no such task. */
    public Uni<Optional<String>> findNamespace(SqlClient client, UUID taskUuid) {
        return client.preparedQuery(NAMESPACE)
                .execute(Tuple.of(taskUuid))
                .map(
                        rows ->
                                rows.size() == 0
                                        ? Optional.empty()
                                        : Optional.of(rows.iterator().next().getString(0)));
    }

    /** The task's steps by position, or only the given one when stepUuid is not null. */
    public Uni<List<Step>> listSteps(SqlClient client, UUID taskUuid, UUID stepUuid) {
        return client.preparedQuery(STEPS)
                .execute(Tuple.of(taskUuid, stepUuid))
                .map(rows -> JsonViews.only(rows, STEP_LIST));
    }

    public Uni<Transitions> listTransitions(SqlClient client, UUID taskUuid) {
        return client.preparedQuery(TRANSITIONS)
                .execute(Tuple.of(taskUuid))
                .map(rows -> JsonViews.only(rows, Transitions.class));
    }

    public Uni<List<TaskSummary>> listTasks(SqlClient client, TaskFilter f) {
        Tuple args =
                Tuple.tuple()
                        .addString(f.namespace())
                        .addString(f.name())
                        .addString(f.status() == null ? null : f.status().wire())
                        .addOffsetDateTime(f.createdAfter())
                        .addOffsetDateTime(f.createdBefore())
                        .addInteger(f.limit())
                        .addInteger(f.offset())
                        .addArrayOfString(
                                f.scope() == null ? null : f.scope().toArray(String[]::new));
        return client.preparedQuery(LIST)
                .execute(args)
                .map(rows -> JsonViews.all(rows, TaskSummary.class));
    }
}

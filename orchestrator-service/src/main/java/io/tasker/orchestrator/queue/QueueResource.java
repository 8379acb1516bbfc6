package io.tasker.orchestrator.queue;

import io.smallrye.mutiny.Uni;
import io.tasker.messages.QueueNames;
import io.tasker.messages.api.QueueList;
import io.tasker.messages.api.QueueStats;
import io.tasker.orchestrator.auth.Callers;
import io.tasker.orchestrator.auth.Roles;
import io.tasker.queue.PgmqClient;
import io.tasker.queue.QueueMetrics;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Queue depth and age per queue, from pgmq's metrics: {@code /v1/queues}. */
@Path("/v1/queues")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "queues")
public class QueueResource {

    private final PgmqClient queues;
    private final Callers callers;

    public QueueResource(Pool pool, Callers callers) {
        this.queues = new PgmqClient(pool);
        this.callers = callers;
    }

    @GET
    @RolesAllowed(Roles.TASKS_READ)
    @Operation(
            operationId = "listQueues",
            summary = "Queue depth and age",
            description =
                    "Per-queue depth, message ages and totals, from pgmq's metrics. A caller"
                            + " limited to namespaces sees only their worker queues.")
    @APIResponse(responseCode = "200", description = "Every pgmq queue, with totals.")
    public Uni<QueueList> list() {
        return callers.current()
                .chain(caller -> queues.metricsAll().map(all -> visible(caller, all)))
                .map(
                        all ->
                                QueueList.of(
                                        all.stream()
                                                .map(
                                                        m ->
                                                                new QueueStats(
                                                                        m.queueName(),
                                                                        m.queueLength(),
                                                                        m.oldestMsgAgeSec(),
                                                                        m.newestMsgAgeSec(),
                                                                        m.totalMessages()))
                                                .toList()));
    }

    /** The queues a caller limited to namespaces sees: their worker queues. */
    private static List<QueueMetrics> visible(Callers.Caller caller, List<QueueMetrics> all) {
        List<String> scope = caller.namespaceFilter();
        if (scope == null) {
            return all;
        }
        Set<String> mine = scope.stream().map(QueueNames::workerQueue).collect(Collectors.toSet());
        return all.stream().filter(m -> mine.contains(m.queueName())).toList();
    }
}

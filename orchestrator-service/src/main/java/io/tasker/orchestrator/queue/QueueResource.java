package io.tasker.orchestrator.queue;

import io.smallrye.mutiny.Uni;
import io.tasker.messages.api.QueueList;
import io.tasker.messages.api.QueueStats;
import io.tasker.queue.PgmqClient;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Queue depth and age per queue, from pgmq's metrics: {@code /v1/queues}. */
@Path("/v1/queues")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "queues")
public class QueueResource {

    private final PgmqClient queues;

    public QueueResource(Pool pool) {
        this.queues = new PgmqClient(pool);
    }

    @GET
    @Operation(
            operationId = "listQueues",
            summary = "Queue depth and age",
            description = "Per-queue depth, message ages and totals, from pgmq's metrics.")
    @APIResponse(responseCode = "200", description = "Every pgmq queue, with totals.")
    public Uni<QueueList> list() {
        return queues.metricsAll()
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
}

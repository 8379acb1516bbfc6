package io.tasker.orchestrator.queue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.JsonSupport;
import io.tasker.queue.PgmqClient;
import io.tasker.queue.QueueMetrics;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Queue depth and age per queue, from pgmq's metrics: {@code /v1/queues}. */
@Path("/v1/queues")
@Produces(MediaType.APPLICATION_JSON)
public class QueueResource {

    private final PgmqClient queues;

    public QueueResource(Pool pool) {
        this.queues = new PgmqClient(pool);
    }

    @GET
    public Uni<String> list() {
        return queues.metricsAll()
                .map(
                        all -> {
                            ObjectNode out = JsonSupport.object();
                            ArrayNode items = out.putArray("queues");
                            long depth = 0;
                            long sent = 0;
                            Integer oldest = null;
                            for (QueueMetrics m : all) {
                                ObjectNode q = items.addObject();
                                q.put("queue_name", m.queueName());
                                q.put("queue_length", m.queueLength());
                                q.put("oldest_msg_age_sec", m.oldestMsgAgeSec());
                                q.put("newest_msg_age_sec", m.newestMsgAgeSec());
                                q.put("total_messages", m.totalMessages());
                                depth += m.queueLength();
                                sent += m.totalMessages();
                                if (m.oldestMsgAgeSec() != null
                                        && (oldest == null || m.oldestMsgAgeSec() > oldest)) {
                                    oldest = m.oldestMsgAgeSec();
                                }
                            }
                            ObjectNode totals = out.putObject("totals");
                            totals.put("queues", all.size());
                            totals.put("queue_length", depth);
                            totals.put("total_messages", sent);
                            totals.put("oldest_msg_age_sec", oldest);
                            return JsonSupport.write(out);
                        });
    }
}

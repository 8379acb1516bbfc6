package io.tasker.queue;

import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;

/** A queue as {@code pgmq.list_queues} reports it. */
public record QueueInfo(String queueName, OffsetDateTime createdAt) {

    static QueueInfo from(Row row) {
        return new QueueInfo(row.getString("queue_name"), row.getOffsetDateTime("created_at"));
    }
}

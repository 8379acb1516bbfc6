package io.tasker.queue;

import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;

/**
 * A queue's metrics from pgmq: messages now in the queue, the age in seconds of its newest and
 * oldest message (null when empty) and the number of messages ever sent to it.
 */
public record QueueMetrics(
        String queueName,
        long queueLength,
        Integer newestMsgAgeSec,
        Integer oldestMsgAgeSec,
        long totalMessages,
        OffsetDateTime scrapeTime) {

    static QueueMetrics from(Row row) {
        return new QueueMetrics(
                row.getString("queue_name"),
                row.getLong("queue_length"),
                row.getInteger("newest_msg_age_sec"),
                row.getInteger("oldest_msg_age_sec"),
                row.getLong("total_messages"),
                row.getOffsetDateTime("scrape_time"));
    }
}

package io.tasker.queue;

import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;

/**
 * One message as pgmq's {@code read} or {@code set_vt} returned it; {@code message} is null when
 * the stored body is not a JSON object, so a malformed message never fails a whole read.
 */
public record QueueMessage(
        long msgId, int readCt, OffsetDateTime enqueuedAt, OffsetDateTime vt, JsonObject message) {

    static QueueMessage from(Row row) {
        Object body = row.getValue("message");
        return new QueueMessage(
                row.getLong("msg_id"),
                row.getInteger("read_ct"),
                row.getOffsetDateTime("enqueued_at"),
                row.getOffsetDateTime("vt"),
                body instanceof JsonObject json ? json : null);
    }
}

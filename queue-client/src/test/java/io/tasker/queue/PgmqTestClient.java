package io.tasker.queue;

import static io.tasker.queue.PgmqClient.execute;
import static io.tasker.queue.PgmqClient.list;
import static io.tasker.queue.PgmqClient.single;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The pgmq operations no service calls but the contract tests need, to fill queues and to check
 * what the migrations installed (the extension or the project's implementation) behaves like pgmq.
 * Queue names pass the same check as in {@link PgmqClient}, and queries name their columns and cast
 * their arguments for the same reason.
 */
final class PgmqTestClient {

    private static final String DROP_QUEUE =
            """
            SELECT pgmq.drop_queue($1::text) AS dropped
            """;

    private static final String SEND =
            """
            SELECT s.msg_id
              FROM pgmq.send($1::text, $2::jsonb, $3::integer) AS s(msg_id)
            """;

    // Identities follow the input order, so sorting by msg_id lines the ids up with the messages.
    private static final String SEND_BATCH =
            """
            SELECT s.msg_id
              FROM pgmq.send_batch($1::text, $2::jsonb[], $3::integer) AS s(msg_id)
             ORDER BY s.msg_id
            """;

    private static final String DELETE_BATCH =
            """
            SELECT d.msg_id
              FROM pgmq.delete($1::text, $2::bigint[]) AS d(msg_id)
             ORDER BY d.msg_id
            """;

    private static final String ARCHIVE =
            """
            SELECT pgmq.archive($1::text, $2::bigint) AS archived
            """;

    private static final String ARCHIVE_BATCH =
            """
            SELECT a.msg_id
              FROM pgmq.archive($1::text, $2::bigint[]) AS a(msg_id)
             ORDER BY a.msg_id
            """;

    // $3 is the new visibility timeout in seconds, counted from now.
    private static final String SET_VT =
            """
            SELECT msg_id, read_ct, enqueued_at, vt, message
              FROM pgmq.set_vt($1::text, $2::bigint, $3::integer)
            """;

    private static final String PURGE =
            """
            SELECT pgmq.purge_queue($1::text) AS purged
            """;

    private static final String METRICS =
            """
            SELECT queue_name, queue_length, newest_msg_age_sec, oldest_msg_age_sec,
                   total_messages, scrape_time
              FROM pgmq.metrics($1::text)
            """;

    private static final String LIST_QUEUES =
            """
            SELECT queue_name, created_at
              FROM pgmq.list_queues()
             ORDER BY queue_name
            """;

    private final SqlClient client;

    PgmqTestClient(SqlClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** Drops the queue and its archive; false when there was no such queue. */
    Uni<Boolean> dropQueue(String queue) {
        return execute(client, queue, DROP_QUEUE, Tuple.of(queue))
                .map(rows -> single(rows).getBoolean("dropped"));
    }

    /** Sends one message, visible after {@code delaySeconds}; returns its id. */
    Uni<Long> send(String queue, JsonObject msg, int delaySeconds) {
        return execute(client, queue, SEND, Tuple.of(queue, msg, delaySeconds))
                .map(rows -> single(rows).getLong("msg_id"));
    }

    /** Sends several messages in one statement; returns their ids in the order of {@code msgs}. */
    Uni<List<Long>> sendBatch(String queue, List<JsonObject> msgs, int delaySeconds) {
        Tuple args =
                Tuple.tuple()
                        .addString(queue)
                        .addArrayOfJsonObject(msgs.toArray(JsonObject[]::new))
                        .addInteger(delaySeconds);
        return execute(client, queue, SEND_BATCH, args).map(PgmqTestClient::ids);
    }

    /** Deletes several messages; returns the ids that were in the queue. */
    Uni<List<Long>> deleteBatch(String queue, List<Long> msgIds) {
        return execute(client, queue, DELETE_BATCH, idsArgs(queue, msgIds))
                .map(PgmqTestClient::ids);
    }

    /** Moves one message to the queue's archive; false when it was not in the queue. */
    Uni<Boolean> archive(String queue, long msgId) {
        return execute(client, queue, ARCHIVE, Tuple.of(queue, msgId))
                .map(rows -> single(rows).getBoolean("archived"));
    }

    /** Moves several messages to the archive; returns the ids that were in the queue. */
    Uni<List<Long>> archiveBatch(String queue, List<Long> msgIds) {
        return execute(client, queue, ARCHIVE_BATCH, idsArgs(queue, msgIds))
                .map(PgmqTestClient::ids);
    }

    /** Makes a message invisible for {@code vtSeconds} from now; empty when it is not queued. */
    Uni<Optional<QueueMessage>> setVt(String queue, long msgId, int vtSeconds) {
        return execute(client, queue, SET_VT, Tuple.of(queue, msgId, vtSeconds))
                .map(rows -> list(rows, QueueMessage::from).stream().findFirst());
    }

    /** Deletes every message of the queue (not its archive); returns how many. */
    Uni<Long> purge(String queue) {
        return execute(client, queue, PURGE, Tuple.of(queue))
                .map(rows -> single(rows).getLong("purged"));
    }

    /** Current length, message ages and lifetime message count of one queue. */
    Uni<QueueMetrics> metrics(String queue) {
        return execute(client, queue, METRICS, Tuple.of(queue))
                .map(rows -> QueueMetrics.from(single(rows)));
    }

    /** Every queue, by name. */
    Uni<List<QueueInfo>> listQueues() {
        return client.preparedQuery(LIST_QUEUES).execute().map(rows -> list(rows, QueueInfo::from));
    }

    private static Tuple idsArgs(String queue, List<Long> msgIds) {
        return Tuple.tuple().addString(queue).addArrayOfLong(msgIds.toArray(Long[]::new));
    }

    private static List<Long> ids(RowSet<Row> rows) {
        return list(rows, row -> row.getLong("msg_id"));
    }
}

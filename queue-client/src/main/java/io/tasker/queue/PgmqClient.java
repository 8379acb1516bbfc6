package io.tasker.queue;

import io.smallrye.mutiny.Uni;
import io.tasker.messages.QueueNames;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Calls the pgmq SQL API (the extension or the project's compatible implementation) over a Vert.x
 * pool or a caller's {@link SqlClient}, so queue operations can join the caller's transaction.
 *
 * <p>Every method checks the queue name with {@link QueueNames#requireQueue(String)} when it is
 * called, before any SQL is prepared; a bad name is reported as a failed {@link Uni} carrying
 * {@link QueueNames.InvalidQueueNameException} (never a synchronous throw). Missing queues fail
 * with a {@code PgException} whose SQL state is {@code 42P01}.
 *
 * <p>Queries name the columns they read and cast every argument, because pgmq adds result columns
 * and overloads between versions.
 */
public final class PgmqClient {

    private static final String ENSURE_QUEUE =
            """
            SELECT tasker.ensure_queue($1::text)
            """;

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

    // $2 is the visibility timeout in seconds, $3 the maximum number of messages.
    private static final String READ =
            """
            SELECT msg_id, read_ct, enqueued_at, vt, message
              FROM pgmq.read($1::text, $2::integer, $3::integer)
             ORDER BY msg_id
            """;

    private static final String DELETE =
            """
            SELECT pgmq.delete($1::text, $2::bigint) AS deleted
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

    private static final String METRICS_ALL =
            """
            SELECT queue_name, queue_length, newest_msg_age_sec, oldest_msg_age_sec,
                   total_messages, scrape_time
              FROM pgmq.metrics_all()
             ORDER BY queue_name
            """;

    private static final String LIST_QUEUES =
            """
            SELECT queue_name, created_at
              FROM pgmq.list_queues()
             ORDER BY queue_name
            """;

    private final Pool pool;

    public PgmqClient(Pool pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    /** Creates the queue and its notify trigger unless they exist ({@code tasker.ensure_queue}). */
    public Uni<Void> createQueue(String queue) {
        return createQueue(pool, queue);
    }

    public Uni<Void> createQueue(SqlClient client, String queue) {
        return execute(client, queue, ENSURE_QUEUE, Tuple.of(queue)).replaceWithVoid();
    }

    /** Drops the queue and its archive; false when there was no such queue. */
    public Uni<Boolean> dropQueue(String queue) {
        return dropQueue(pool, queue);
    }

    public Uni<Boolean> dropQueue(SqlClient client, String queue) {
        return execute(client, queue, DROP_QUEUE, Tuple.of(queue))
                .map(rows -> single(rows).getBoolean("dropped"));
    }

    /** Sends one message, visible after {@code delaySeconds}; returns its id. */
    public Uni<Long> send(String queue, JsonObject msg, int delaySeconds) {
        return send(pool, queue, msg, delaySeconds);
    }

    public Uni<Long> send(SqlClient client, String queue, JsonObject msg, int delaySeconds) {
        return execute(client, queue, SEND, Tuple.of(queue, msg, delaySeconds))
                .map(rows -> single(rows).getLong("msg_id"));
    }

    /** Sends several messages in one statement; returns their ids in the order of {@code msgs}. */
    public Uni<List<Long>> sendBatch(String queue, List<JsonObject> msgs, int delaySeconds) {
        return sendBatch(pool, queue, msgs, delaySeconds);
    }

    public Uni<List<Long>> sendBatch(
            SqlClient client, String queue, List<JsonObject> msgs, int delaySeconds) {
        Tuple args =
                Tuple.tuple()
                        .addString(queue)
                        .addArrayOfJsonObject(msgs.toArray(JsonObject[]::new))
                        .addInteger(delaySeconds);
        return execute(client, queue, SEND_BATCH, args).map(rows -> ids(rows));
    }

    /**
     * Takes up to {@code qty} visible messages, oldest first, and hides them for {@code vtSeconds};
     * concurrent readers never receive the same message.
     */
    public Uni<List<QueueMessage>> read(String queue, int vtSeconds, int qty) {
        return read(pool, queue, vtSeconds, qty);
    }

    public Uni<List<QueueMessage>> read(SqlClient client, String queue, int vtSeconds, int qty) {
        return execute(client, queue, READ, Tuple.of(queue, vtSeconds, qty))
                .map(rows -> list(rows, QueueMessage::from));
    }

    /** Deletes one message; false when it was not in the queue. */
    public Uni<Boolean> delete(String queue, long msgId) {
        return delete(pool, queue, msgId);
    }

    public Uni<Boolean> delete(SqlClient client, String queue, long msgId) {
        return execute(client, queue, DELETE, Tuple.of(queue, msgId))
                .map(rows -> single(rows).getBoolean("deleted"));
    }

    /** Deletes several messages; returns the ids that were in the queue. */
    public Uni<List<Long>> deleteBatch(String queue, List<Long> msgIds) {
        return deleteBatch(pool, queue, msgIds);
    }

    public Uni<List<Long>> deleteBatch(SqlClient client, String queue, List<Long> msgIds) {
        return execute(client, queue, DELETE_BATCH, idsArgs(queue, msgIds)).map(rows -> ids(rows));
    }

    /** Moves one message to the queue's archive; false when it was not in the queue. */
    public Uni<Boolean> archive(String queue, long msgId) {
        return archive(pool, queue, msgId);
    }

    public Uni<Boolean> archive(SqlClient client, String queue, long msgId) {
        return execute(client, queue, ARCHIVE, Tuple.of(queue, msgId))
                .map(rows -> single(rows).getBoolean("archived"));
    }

    /** Moves several messages to the archive; returns the ids that were in the queue. */
    public Uni<List<Long>> archiveBatch(String queue, List<Long> msgIds) {
        return archiveBatch(pool, queue, msgIds);
    }

    public Uni<List<Long>> archiveBatch(SqlClient client, String queue, List<Long> msgIds) {
        return execute(client, queue, ARCHIVE_BATCH, idsArgs(queue, msgIds)).map(rows -> ids(rows));
    }

    /** Makes a message invisible for {@code vtSeconds} from now; empty when it is not queued. */
    public Uni<Optional<QueueMessage>> setVt(String queue, long msgId, int vtSeconds) {
        return setVt(pool, queue, msgId, vtSeconds);
    }

    public Uni<Optional<QueueMessage>> setVt(
            SqlClient client, String queue, long msgId, int vtSeconds) {
        return execute(client, queue, SET_VT, Tuple.of(queue, msgId, vtSeconds))
                .map(rows -> list(rows, QueueMessage::from).stream().findFirst());
    }

    /** Deletes every message of the queue (not its archive); returns how many. */
    public Uni<Long> purge(String queue) {
        return purge(pool, queue);
    }

    public Uni<Long> purge(SqlClient client, String queue) {
        return execute(client, queue, PURGE, Tuple.of(queue))
                .map(rows -> single(rows).getLong("purged"));
    }

    /** Current length, message ages and lifetime message count of one queue. */
    public Uni<QueueMetrics> metrics(String queue) {
        return metrics(pool, queue);
    }

    public Uni<QueueMetrics> metrics(SqlClient client, String queue) {
        return execute(client, queue, METRICS, Tuple.of(queue))
                .map(rows -> QueueMetrics.from(single(rows)));
    }

    /** Metrics of every queue, by queue name. */
    public Uni<List<QueueMetrics>> metricsAll() {
        return metricsAll(pool);
    }

    public Uni<List<QueueMetrics>> metricsAll(SqlClient client) {
        return client.preparedQuery(METRICS_ALL)
                .execute()
                .map(rows -> list(rows, QueueMetrics::from));
    }

    /** Every queue, by name. */
    public Uni<List<QueueInfo>> listQueues() {
        return listQueues(pool);
    }

    public Uni<List<QueueInfo>> listQueues(SqlClient client) {
        return client.preparedQuery(LIST_QUEUES).execute().map(rows -> list(rows, QueueInfo::from));
    }

    private static Uni<RowSet<Row>> execute(
            SqlClient client, String queue, String sql, Tuple args) {
        try {
            QueueNames.requireQueue(queue);
        } catch (QueueNames.InvalidQueueNameException e) {
            return Uni.createFrom().failure(e);
        }
        return client.preparedQuery(sql).execute(args);
    }

    private static Tuple idsArgs(String queue, List<Long> msgIds) {
        return Tuple.tuple().addString(queue).addArrayOfLong(msgIds.toArray(Long[]::new));
    }

    private static Row single(RowSet<Row> rows) {
        return rows.iterator().next();
    }

    private static List<Long> ids(RowSet<Row> rows) {
        return list(rows, row -> row.getLong("msg_id"));
    }

    private static <T> List<T> list(RowSet<Row> rows, Function<Row, T> mapper) {
        List<T> result = new ArrayList<>(rows.size());
        for (Row row : rows) {
            result.add(mapper.apply(row));
        }
        return List.copyOf(result);
    }
}

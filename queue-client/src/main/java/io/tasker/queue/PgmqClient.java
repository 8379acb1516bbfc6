package io.tasker.queue;

import io.smallrye.mutiny.Uni;
import io.tasker.messages.QueueNames;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Calls the pgmq SQL API (the extension or the project's compatible implementation) over a Vert.x
 * {@link SqlClient}: the services pass their pool; a connection in a transaction makes the calls
 * part of that transaction.
 *
 * <p>Only the operations the services use live here (creating a worker queue, reading, deleting a
 * handled message, the metrics of every queue); the rest of the pgmq API that the contract tests
 * exercise is test code, so production cannot come to depend on it unnoticed.
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

    private static final String METRICS_ALL =
            """
            SELECT queue_name, queue_length, newest_msg_age_sec, oldest_msg_age_sec,
                   total_messages, scrape_time
              FROM pgmq.metrics_all()
             ORDER BY queue_name
            """;

    private final SqlClient client;

    public PgmqClient(SqlClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** Creates the queue and its notify trigger unless they exist ({@code tasker.ensure_queue}). */
    public Uni<Void> createQueue(String queue) {
        return execute(client, queue, ENSURE_QUEUE, Tuple.of(queue)).replaceWithVoid();
    }

    /**
     * Takes up to {@code qty} visible messages, oldest first, and hides them for {@code vtSeconds};
     * concurrent readers never receive the same message.
     */
    public Uni<List<QueueMessage>> read(String queue, int vtSeconds, int qty) {
        return execute(client, queue, READ, Tuple.of(queue, vtSeconds, qty))
                .map(rows -> list(rows, QueueMessage::from));
    }

    /** Deletes one message; false when it was not in the queue. */
    public Uni<Boolean> delete(String queue, long msgId) {
        return execute(client, queue, DELETE, Tuple.of(queue, msgId))
                .map(rows -> single(rows).getBoolean("deleted"));
    }

    /** Metrics of every queue, by queue name. */
    public Uni<List<QueueMetrics>> metricsAll() {
        return client.preparedQuery(METRICS_ALL)
                .execute()
                .map(rows -> list(rows, QueueMetrics::from));
    }

    /** Runs {@code sql} once {@code queue} has passed {@link QueueNames#requireQueue(String)}. */
    static Uni<RowSet<Row>> execute(SqlClient client, String queue, String sql, Tuple args) {
        try {
            QueueNames.requireQueue(queue);
        } catch (QueueNames.InvalidQueueNameException e) {
            return Uni.createFrom().failure(e);
        }
        return client.preparedQuery(sql).execute(args);
    }

    static Row single(RowSet<Row> rows) {
        return rows.iterator().next();
    }

    static <T> List<T> list(RowSet<Row> rows, Function<Row, T> mapper) {
        List<T> result = new ArrayList<>(rows.size());
        for (Row row : rows) {
            result.add(mapper.apply(row));
        }
        return List.copyOf(result);
    }
}

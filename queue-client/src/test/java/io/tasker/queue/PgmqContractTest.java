package io.tasker.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.smallrye.mutiny.Uni;
import io.tasker.messages.QueueNames;
import io.tasker.messages.QueueNames.InvalidQueueNameException;
import io.tasker.testsupport.TestDatabase;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.PoolOptions;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pgmq behaviour the services rely on, run against whatever the migrations installed (the real
 * extension or the project's implementation), so nothing here may assume either one.
 */
class PgmqContractTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int LONG_VT = 60;
    private static final AtomicInteger QUEUE_COUNTER = new AtomicInteger();

    private static TestDatabase.Database db;
    private static Vertx vertx;
    private static Pool pool;
    private static PgmqClient pgmq;
    private static PgmqTestClient pgmqTest;

    @BeforeAll
    static void startDatabaseAndPool() {
        db = TestDatabase.freshMigrated("pgmq contract");
        vertx = Vertx.vertx();
        pool =
                PgBuilder.pool()
                        .with(new PoolOptions().setMaxSize(4))
                        .connectingTo(connectOptions())
                        .using(vertx)
                        .build();
        pgmq = new PgmqClient(pool);
        pgmqTest = new PgmqTestClient(pool);
    }

    @AfterAll
    static void closeEverything() {
        if (pool != null) {
            pool.close().await().atMost(TIMEOUT);
        }
        if (vertx != null) {
            vertx.close().await().atMost(TIMEOUT);
        }
    }

    @Test
    void sent_messages_are_read_oldest_first_with_their_bodies() {
        String queue = newQueue("order");
        long first = result(pgmqTest.send(queue, body(1), 0));
        long second = result(pgmqTest.send(queue, body(2), 0));
        long third = result(pgmqTest.send(queue, body(3), 0));

        List<QueueMessage> firstTwo = result(pgmq.read(queue, LONG_VT, 2));
        List<QueueMessage> rest = result(pgmq.read(queue, LONG_VT, 10));

        assertThat(firstTwo).extracting(QueueMessage::msgId).containsExactly(first, second);
        assertThat(firstTwo).extracting(QueueMessage::message).containsExactly(body(1), body(2));
        assertThat(rest).extracting(QueueMessage::msgId).containsExactly(third);
        assertThat(rest.get(0).readCt()).isEqualTo(1);
        assertThat(rest.get(0).vt()).isAfter(rest.get(0).enqueuedAt());
    }

    @Test
    void a_read_message_is_hidden_until_its_vt_passes_and_then_read_again() {
        String queue = newQueue("vt");
        long id = result(pgmqTest.send(queue, body(1), 0));

        QueueMessage firstRead = single(result(pgmq.read(queue, 1, 1)));
        List<QueueMessage> whileHidden = result(pgmq.read(queue, 1, 1));
        QueueMessage secondRead = awaitOneMessage(queue);

        assertThat(firstRead.msgId()).isEqualTo(id);
        assertThat(firstRead.readCt()).isEqualTo(1);
        assertThat(whileHidden).isEmpty();
        assertThat(secondRead.msgId()).isEqualTo(id);
        assertThat(secondRead.readCt()).isEqualTo(2);
        // Read again only once the first vt had passed: its new vt is LONG_VT after that.
        assertThat(secondRead.vt()).isAfterOrEqualTo(firstRead.vt().plusSeconds(LONG_VT));
    }

    @Test
    void a_delayed_message_stays_invisible_until_its_delay_passes() {
        String queue = newQueue("delay");
        long id = result(pgmqTest.send(queue, body(1), 2));

        List<QueueMessage> beforeDelay = result(pgmq.read(queue, LONG_VT, 1));
        QueueMessage afterDelay = awaitOneMessage(queue);

        assertThat(beforeDelay).isEmpty();
        assertThat(afterDelay.msgId()).isEqualTo(id);
        assertThat(afterDelay.readCt()).isEqualTo(1);
        assertThat(afterDelay.vt())
                .isAfterOrEqualTo(afterDelay.enqueuedAt().plusSeconds(2 + LONG_VT));
    }

    @Test
    void delete_removes_a_message_and_archive_moves_it_to_the_archive_table() {
        String queue = newQueue("del_arch");
        long deleted = result(pgmqTest.send(queue, body(1), 0));
        long archived = result(pgmqTest.send(queue, body(2), 0));

        assertThat(result(pgmq.delete(queue, deleted))).isTrue();
        assertThat(result(pgmq.delete(queue, deleted))).isFalse();
        assertThat(result(pgmqTest.archive(queue, archived))).isTrue();
        assertThat(result(pgmqTest.archive(queue, archived))).isFalse();

        assertThat(result(pgmq.read(queue, LONG_VT, 10))).isEmpty();
        List<Row> archive = archiveRows(queue, List.of(deleted, archived));
        assertThat(archive).hasSize(1);
        assertThat(archive.get(0).getLong("msg_id")).isEqualTo(archived);
        assertThat(archive.get(0).getJsonObject("message")).isEqualTo(body(2));
    }

    @Test
    void batches_are_sent_read_deleted_and_archived_together() {
        String queue = newQueue("batch");
        List<JsonObject> bodies = IntStream.range(0, 5).mapToObj(PgmqContractTest::body).toList();

        List<Long> ids = result(pgmqTest.sendBatch(queue, bodies, 0));
        List<QueueMessage> read = result(pgmq.read(queue, LONG_VT, 10));
        List<Long> deleted =
                result(pgmqTest.deleteBatch(queue, List.of(ids.get(0), ids.get(1), -1L)));
        List<Long> archived = result(pgmqTest.archiveBatch(queue, List.of(ids.get(2), ids.get(3))));

        assertThat(ids).hasSize(5).isSorted().doesNotHaveDuplicates();
        assertThat(read).extracting(QueueMessage::msgId).containsExactlyElementsOf(ids);
        assertThat(read).extracting(QueueMessage::message).containsExactlyElementsOf(bodies);
        assertThat(deleted).containsExactly(ids.get(0), ids.get(1));
        assertThat(archived).containsExactly(ids.get(2), ids.get(3));
        assertThat(archiveRows(queue, ids))
                .extracting(row -> row.getLong("msg_id"))
                .containsExactlyInAnyOrder(ids.get(2), ids.get(3));
        assertThat(result(pgmqTest.metrics(queue)).queueLength()).isEqualTo(1);
        assertThat(result(pgmqTest.sendBatch(queue, List.of(), 0))).isEmpty();
        assertThat(result(pgmqTest.deleteBatch(queue, List.of()))).isEmpty();
        assertThat(result(pgmqTest.archiveBatch(queue, List.of()))).isEmpty();
    }

    @Test
    void set_vt_extends_the_invisibility_of_a_read_message() {
        String queue = newQueue("set_vt");
        long id = result(pgmqTest.send(queue, body(1), 0));
        QueueMessage read = single(result(pgmq.read(queue, 1, 1)));

        QueueMessage extended = result(pgmqTest.setVt(queue, id, 30)).orElseThrow();

        assertThat(extended.msgId()).isEqualTo(id);
        assertThat(extended.vt()).isAfterOrEqualTo(read.vt().plusSeconds(20));
        // The original 1 s vt passes during this window, yet the message stays hidden.
        await().during(Duration.ofMillis(1500))
                .atMost(TIMEOUT)
                .pollInterval(POLL)
                .until(() -> result(pgmq.read(queue, LONG_VT, 1)).isEmpty());

        result(pgmqTest.setVt(queue, id, 0));
        QueueMessage readAgain = awaitOneMessage(queue);
        assertThat(readAgain.msgId()).isEqualTo(id);
        assertThat(readAgain.readCt()).isEqualTo(2);
        assertThat(result(pgmqTest.setVt(queue, Long.MAX_VALUE, 10))).isEmpty();
    }

    @Test
    void metrics_count_queued_and_ever_sent_messages_and_list_every_queue() {
        String queue = newQueue("metrics");
        QueueMetrics empty = result(pgmqTest.metrics(queue));
        result(pgmqTest.send(queue, body(1), 0));
        result(pgmqTest.sendBatch(queue, List.of(body(2), body(3)), 0));
        QueueMessage taken = single(result(pgmq.read(queue, LONG_VT, 1)));
        result(pgmq.delete(queue, taken.msgId()));

        QueueMetrics metrics = result(pgmqTest.metrics(queue));
        List<QueueMetrics> all = result(pgmq.metricsAll());
        List<QueueInfo> queues = result(pgmqTest.listQueues());

        assertThat(empty.queueLength()).isZero();
        assertThat(empty.totalMessages()).isZero();
        assertThat(empty.oldestMsgAgeSec()).isNull();
        assertThat(metrics.queueName()).isEqualTo(queue);
        assertThat(metrics.queueLength()).isEqualTo(2);
        assertThat(metrics.totalMessages()).isEqualTo(3);
        assertThat(metrics.oldestMsgAgeSec()).isNotNull().isGreaterThanOrEqualTo(0);
        assertThat(metrics.newestMsgAgeSec())
                .isNotNull()
                .isLessThanOrEqualTo(metrics.oldestMsgAgeSec());
        assertThat(metrics.scrapeTime()).isNotNull();
        assertThat(all)
                .filteredOn(m -> m.queueName().equals(queue))
                .singleElement()
                .satisfies(m -> assertThat(m.queueLength()).isEqualTo(2));
        assertThat(queues)
                .extracting(QueueInfo::queueName)
                .contains(queue, QueueNames.RESULTS_QUEUE)
                .doesNotHaveDuplicates();
        assertThat(queues).allSatisfy(q -> assertThat(q.createdAt()).isNotNull());
    }

    @Test
    void purge_deletes_every_queued_message() {
        String queue = newQueue("purge");
        result(pgmqTest.sendBatch(queue, List.of(body(1), body(2), body(3)), 0));
        result(pgmqTest.send(queue, body(4), 30));

        assertThat(result(pgmqTest.purge(queue))).isEqualTo(4);
        assertThat(result(pgmq.read(queue, LONG_VT, 10))).isEmpty();
        assertThat(result(pgmqTest.metrics(queue)).queueLength()).isZero();
    }

    @Test
    void concurrent_readers_never_receive_the_same_message() {
        String queue = newQueue("concurrent");
        SqlConnection first = result(pool.getConnection());
        SqlConnection second = result(pool.getConnection());
        try {
            for (int round = 0; round < 4; round++) {
                List<JsonObject> bodies = IntStream.range(0, 50).mapToObj(i -> body(i)).toList();
                Set<Long> sent = new HashSet<>(result(pgmqTest.sendBatch(queue, bodies, 0)));
                List<Long> received = new ArrayList<>();
                while (true) {
                    List<List<QueueMessage>> both =
                            result(
                                    Uni.join()
                                            .all(
                                                    new PgmqClient(first).read(queue, LONG_VT, 5),
                                                    new PgmqClient(second).read(queue, LONG_VT, 5))
                                            .andFailFast());
                    if (both.get(0).isEmpty() && both.get(1).isEmpty()) {
                        break;
                    }
                    both.forEach(batch -> batch.forEach(m -> received.add(m.msgId())));
                }
                assertThat(received).doesNotHaveDuplicates();
                assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
            }
        } finally {
            result(first.close());
            result(second.close());
        }
    }

    @Test
    void a_reader_skips_messages_locked_by_another_open_transaction() {
        String queue = newQueue("skip_locked");
        List<Long> ids =
                result(
                        pgmqTest.sendBatch(
                                queue, IntStream.range(0, 10).mapToObj(i -> body(i)).toList(), 0));
        SqlConnection holder = result(pool.getConnection());
        try {
            Transaction tx = result(holder.begin());
            List<QueueMessage> locked = result(new PgmqClient(holder).read(queue, LONG_VT, 5));

            // Must not wait for the open transaction: the locked rows are skipped.
            List<QueueMessage> others = result(pgmq.read(queue, LONG_VT, 10));
            result(tx.rollback());
            List<QueueMessage> afterRollback = result(pgmq.read(queue, LONG_VT, 10));

            assertThat(locked)
                    .extracting(QueueMessage::msgId)
                    .containsExactlyElementsOf(ids.subList(0, 5));
            assertThat(others)
                    .extracting(QueueMessage::msgId)
                    .containsExactlyElementsOf(ids.subList(5, 10));
            assertThat(afterRollback)
                    .extracting(QueueMessage::msgId)
                    .containsExactlyElementsOf(ids.subList(0, 5));
            assertThat(afterRollback).allSatisfy(m -> assertThat(m.readCt()).isEqualTo(1));
        } finally {
            result(holder.close());
        }
    }

    @Test
    void a_missing_queue_fails_with_undefined_table() {
        String missing = "never_created_" + QUEUE_COUNTER.incrementAndGet();
        List<Function<String, Uni<?>>> operations =
                List.of(
                        q -> pgmqTest.send(q, body(1), 0),
                        q -> pgmqTest.sendBatch(q, List.of(body(1)), 0),
                        q -> pgmq.read(q, LONG_VT, 1),
                        q -> pgmq.delete(q, 1L),
                        q -> pgmqTest.archive(q, 1L),
                        q -> pgmqTest.purge(q),
                        q -> pgmqTest.metrics(q));

        for (Function<String, Uni<?>> operation : operations) {
            assertThatThrownBy(() -> result(operation.apply(missing)))
                    .isInstanceOfSatisfying(
                            PgException.class, e -> assertThat(e.getSqlState()).isEqualTo("42P01"));
        }
    }

    @Test
    void a_dropped_queue_is_gone() {
        String queue = newQueue("dropped");
        result(pgmqTest.send(queue, body(1), 0));

        assertThat(result(pgmqTest.dropQueue(queue))).isTrue();

        assertThat(result(pgmqTest.listQueues()))
                .extracting(QueueInfo::queueName)
                .doesNotContain(queue);
        assertThatThrownBy(() -> result(pgmqTest.send(queue, body(2), 0)))
                .isInstanceOfSatisfying(
                        PgException.class, e -> assertThat(e.getSqlState()).isEqualTo("42P01"));
    }

    @Test
    void bad_queue_names_are_refused_before_any_sql_runs() {
        List<String> calls = new CopyOnWriteArrayList<>();
        io.vertx.sqlclient.Pool recording = recordingPool(calls);
        PgmqClient onPool = new PgmqClient(Pool.newInstance(recording));
        PgmqClient onClient = new PgmqClient(SqlClient.newInstance(recording));
        List<Function<String, Uni<?>>> operations = new ArrayList<>();
        operations.addAll(
                everyQueueOperation(onPool, new PgmqTestClient(Pool.newInstance(recording))));
        operations.addAll(
                everyQueueOperation(
                        onClient, new PgmqTestClient(SqlClient.newInstance(recording))));
        List<String> badNames =
                Arrays.asList(
                        "bad-name",
                        "x; drop table y",
                        "Upper",
                        "",
                        null,
                        "1starts_with_digit",
                        "a".repeat(49),
                        "q\"uote");

        for (String name : badNames) {
            for (Function<String, Uni<?>> operation : operations) {
                assertThatThrownBy(() -> result(operation.apply(name)))
                        .as("queue name %s", name)
                        .isInstanceOf(InvalidQueueNameException.class);
            }
        }

        assertThat(operations).hasSize(24);
        assertThat(calls).isEmpty();
        assertThatThrownBy(
                        () ->
                                new QueueWakeups(vertx, connectOptions())
                                        .listen("bad-name", () -> {}))
                .isInstanceOf(InvalidQueueNameException.class);
    }

    @Test
    void ensure_queue_is_idempotent_and_attaches_one_notify_trigger() {
        String queue = "idempotent_" + QUEUE_COUNTER.incrementAndGet();

        result(pgmq.createQueue(queue));
        result(pgmq.createQueue(queue));
        result(
                Uni.join()
                        .all(
                                pgmq.createQueue(queue),
                                pgmq.createQueue(queue),
                                pgmq.createQueue(queue))
                        .andFailFast());
        long id = result(pgmqTest.send(queue, body(1), 0));

        assertThat(result(pgmqTest.listQueues()))
                .extracting(QueueInfo::queueName)
                .containsOnlyOnce(queue);
        assertThat(notifyTriggers(queue)).isEqualTo(1);
        assertThat(single(result(pgmq.read(queue, LONG_VT, 10))).msgId()).isEqualTo(id);
        for (String bad : List.of("Upper", "bad-name", "x; drop table y")) {
            assertThatThrownBy(
                            () ->
                                    result(
                                            pool.preparedQuery(
                                                            "SELECT tasker.ensure_queue($1::text)")
                                                    .execute(Tuple.of(bad))))
                    .isInstanceOfSatisfying(
                            PgException.class, e -> assertThat(e.getSqlState()).isEqualTo("22023"));
        }
    }

    @Test
    void a_message_body_that_is_not_an_object_is_read_as_null() {
        String queue = newQueue("not_object");
        result(
                pool.preparedQuery("SELECT pgmq.send($1::text, '[1, 2]'::jsonb, 0)")
                        .execute(Tuple.of(queue)));

        QueueMessage read = single(result(pgmq.read(queue, LONG_VT, 1)));

        assertThat(read.readCt()).isEqualTo(1);
        assertThat(read.message()).isNull();
    }

    @Test
    void a_send_wakes_up_listeners_of_that_queue() {
        String queue = newQueue("wakeup");
        String quiet = newQueue("quiet");
        AtomicInteger wakeups = new AtomicInteger();
        AtomicInteger quietWakeups = new AtomicInteger();
        QueueWakeups listener =
                new QueueWakeups(vertx, connectOptions())
                        .listen(queue, wakeups::incrementAndGet)
                        .listen(quiet, quietWakeups::incrementAndGet);
        try {
            result(listener.start());
            // Subscribing gives one wake-up per channel, for messages sent while not listening.
            await().atMost(TIMEOUT)
                    .pollInterval(POLL)
                    .until(
                            () ->
                                    listener.connected()
                                            && wakeups.get() >= 1
                                            && quietWakeups.get() >= 1);
            int before = wakeups.get();
            int quietBefore = quietWakeups.get();

            result(pgmqTest.send(queue, body(1), 0));

            await().atMost(TIMEOUT).pollInterval(POLL).until(() -> wakeups.get() > before);
            assertThat(quietWakeups.get()).isEqualTo(quietBefore);
        } finally {
            result(listener.close());
        }
        assertThat(listener.connected()).isFalse();
    }

    @Test
    void wakeups_resume_after_the_listening_connection_is_killed() {
        String queue = newQueue("reconnect");
        AtomicInteger wakeups = new AtomicInteger();
        QueueWakeups listener =
                new QueueWakeups(vertx, connectOptions()).listen(queue, wakeups::incrementAndGet);
        try {
            result(listener.start());
            await().atMost(TIMEOUT)
                    .pollInterval(POLL)
                    .until(() -> listener.connected() && wakeups.get() >= 1);
            int beforeKill = wakeups.get();

            assertThat(killListeners(queue)).isEqualTo(1);

            // The resubscription after reconnecting is itself a wake-up.
            await().atMost(TIMEOUT)
                    .pollInterval(POLL)
                    .until(() -> listener.connected() && wakeups.get() > beforeKill);
            int beforeSend = wakeups.get();
            result(pgmqTest.send(queue, body(1), 0));
            await().atMost(TIMEOUT).pollInterval(POLL).until(() -> wakeups.get() > beforeSend);
        } finally {
            result(listener.close());
        }
    }

    private static List<Function<String, Uni<?>>> everyQueueOperation(
            PgmqClient client, PgmqTestClient testClient) {
        List<JsonObject> msgs = List.of(body(1));
        List<Long> ids = List.of(1L);
        return List.of(
                q -> client.createQueue(q),
                q -> client.read(q, 30, 1),
                q -> client.delete(q, 1L),
                q -> testClient.dropQueue(q),
                q -> testClient.send(q, body(1), 0),
                q -> testClient.sendBatch(q, msgs, 0),
                q -> testClient.deleteBatch(q, ids),
                q -> testClient.archive(q, 1L),
                q -> testClient.archiveBatch(q, ids),
                q -> testClient.setVt(q, 1L, 30),
                q -> testClient.purge(q),
                q -> testClient.metrics(q));
    }

    /** A Vert.x pool whose every call is recorded and fails: proof that no SQL was attempted. */
    private static io.vertx.sqlclient.Pool recordingPool(List<String> calls) {
        return (io.vertx.sqlclient.Pool)
                Proxy.newProxyInstance(
                        PgmqContractTest.class.getClassLoader(),
                        new Class<?>[] {io.vertx.sqlclient.Pool.class},
                        (proxy, method, args) ->
                                switch (method.getName()) {
                                    case "toString" -> "recording pool";
                                    case "hashCode" -> System.identityHashCode(proxy);
                                    case "equals" -> proxy == args[0];
                                    default -> {
                                        calls.add(method.getName());
                                        throw new AssertionError(
                                                "unexpected call " + method.getName());
                                    }
                                });
    }

    private static String newQueue(String label) {
        String queue = label + "_" + QUEUE_COUNTER.incrementAndGet();
        result(pgmq.createQueue(queue));
        return queue;
    }

    private static QueueMessage awaitOneMessage(String queue) {
        return single(
                await().atMost(TIMEOUT)
                        .pollInterval(POLL)
                        .until(
                                () -> result(pgmq.read(queue, LONG_VT, 1)),
                                list -> !list.isEmpty()));
    }

    private static List<Row> archiveRows(String queue, List<Long> ids) {
        // The queue name is one this test generated; identifiers cannot be bound as parameters.
        String sql =
                "SELECT msg_id, message FROM pgmq.a_" + queue + " WHERE msg_id = ANY($1::bigint[])";
        RowSet<Row> rows =
                result(
                        pool.preparedQuery(sql)
                                .execute(Tuple.tuple().addArrayOfLong(ids.toArray(Long[]::new))));
        List<Row> result = new ArrayList<>();
        rows.forEach(result::add);
        return result;
    }

    private static long notifyTriggers(String queue) {
        String sql =
                """
                SELECT count(*) AS triggers
                  FROM pg_trigger t
                  JOIN pg_class c ON c.oid = t.tgrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'pgmq' AND c.relname = $1::text AND t.tgname = 'tasker_notify'
                """;
        return result(pool.preparedQuery(sql).execute(Tuple.of("q_" + queue)))
                .iterator()
                .next()
                .getLong("triggers");
    }

    private static long killListeners(String queue) {
        String sql =
                """
                SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS killed
                  FROM pg_stat_activity
                 WHERE datname = current_database()
                   AND pid <> pg_backend_pid()
                   AND query ILIKE 'LISTEN%'
                   AND position($1::text IN query) > 0
                """;
        return result(pool.preparedQuery(sql).execute(Tuple.of(queue)))
                .iterator()
                .next()
                .getLong("killed");
    }

    private static PgConnectOptions connectOptions() {
        return new PgConnectOptions()
                .setHost(db.host())
                .setPort(db.port())
                .setDatabase(db.name())
                .setUser(db.user())
                .setPassword(db.password());
    }

    private static JsonObject body(int n) {
        return new JsonObject(Map.of("n", n));
    }

    private static QueueMessage single(List<QueueMessage> messages) {
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }

    private static <T> T result(Uni<T> uni) {
        return uni.await().atMost(TIMEOUT);
    }
}

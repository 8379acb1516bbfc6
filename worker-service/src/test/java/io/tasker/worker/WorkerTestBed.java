package io.tasker.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tasker.queue.PgmqClient;
import io.tasker.queue.QueueMessage;
import io.tasker.testsupport.TestDatabase;
import io.tasker.worker.config.WorkerConfig;
import io.tasker.worker.execution.HandlerRunner;
import io.tasker.worker.execution.Slots;
import io.tasker.worker.execution.StepPipeline;
import io.tasker.worker.execution.WorkerCalls;
import io.tasker.worker.handler.HandlerRegistry;
import io.tasker.worker.handler.StepHandler;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A real database with the real migrations, a reactive pool on it, and the worker's own parts wired
 * by hand: tests drive steps through claim, handler and report exactly as the service does.
 */
public final class WorkerTestBed implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final TestDatabase.Database db;
    private final Vertx vertx;
    private final Pool pool;

    public WorkerTestBed(String purpose) {
        this.db = TestDatabase.freshMigrated(purpose);
        this.vertx = Vertx.vertx();
        this.pool =
                PgBuilder.pool()
                        .with(new PoolOptions().setMaxSize(8))
                        .connectingTo(
                                new PgConnectOptions()
                                        .setHost(db.host())
                                        .setPort(db.port())
                                        .setDatabase(db.name())
                                        .setUser(db.user())
                                        .setPassword(db.password()))
                        .using(vertx)
                        .build();
    }

    public Vertx vertx() {
        return vertx;
    }

    public Pool pool() {
        return pool;
    }

    /** A worker configuration with test-friendly defaults; change it with the {@code with…}s. */
    public record Config(
            List<String> namespaces, int maxConcurrentSteps, int batchSize, long maxResultBytes)
            implements WorkerConfig {

        public static Config of(String... namespaces) {
            return new Config(List.of(namespaces), 4, 10, 1_048_576);
        }

        public Config withMaxConcurrentSteps(int n) {
            return new Config(namespaces, n, batchSize, maxResultBytes);
        }

        public Config withMaxResultBytes(long bytes) {
            return new Config(namespaces, maxConcurrentSteps, batchSize, bytes);
        }

        @Override
        public Optional<String> id() {
            return Optional.of("test-worker");
        }

        @Override
        public int readVisibilitySeconds() {
            return 30;
        }

        @Override
        public int leaseGraceSeconds() {
            return 10;
        }

        @Override
        public Duration minPollInterval() {
            return Duration.ofMillis(10);
        }

        @Override
        public Duration maxPollInterval() {
            return Duration.ofMillis(200);
        }

        @Override
        public boolean listen() {
            return false;
        }

        @Override
        public Duration shutdownDrainTimeout() {
            return Duration.ofSeconds(10);
        }

        @Override
        public int maxReadCount() {
            return 10;
        }
    }

    /** An executor as the service builds it, with its own handler thread count. */
    public StepPipeline executor(Config config, int handlerThreads, StepHandler... handlers) {
        return executor(
                config, handlerThreads, new SimpleMeterRegistry(), Clock.systemUTC(), handlers);
    }

    /** An executor reading the time from {@code clock} and counting into {@code metrics}. */
    public StepPipeline executor(
            Config config,
            int handlerThreads,
            MeterRegistry metrics,
            Clock clock,
            StepHandler... handlers) {
        return new StepPipeline(
                new WorkerCalls(pool, config.id().orElseThrow(), config.leaseGraceSeconds()),
                HandlerRegistry.of(handlers),
                HandlerRunner.withThreads(handlerThreads),
                new Slots(config.maxConcurrentSteps()),
                config,
                metrics,
                clock);
    }

    /**
     * Registers a template (the orchestrator's registration, reduced to its rows) and its queue.
     */
    public UUID registerTemplate(String namespace, String name, String stepsJson) {
        update(
                "INSERT INTO tasker.task_namespaces (name) VALUES (?) ON CONFLICT DO NOTHING",
                namespace);
        strings("SELECT tasker.ensure_queue(?)::text", queue(namespace));
        return UUID.fromString(
                strings(
                                "INSERT INTO tasker.named_tasks (namespace, name, version, configuration, content_hash)"
                                        + " VALUES (?, ?, '1.0.0', jsonb_build_object('steps', ?::jsonb), 'h')"
                                        + " RETURNING named_task_uuid::text",
                                namespace,
                                name,
                                stepsJson)
                        .get(0));
    }

    /** Creates a task of a template; its root steps are enqueued. */
    public UUID createTask(UUID template, String contextJson) {
        return UUID.fromString(
                strings(
                                "SELECT tasker.create_task(?::uuid, ?::jsonb, ?, 0, NULL, 'test', 'test', 'test', '[]')::text",
                                template.toString(),
                                contextJson,
                                UUID.randomUUID().toString())
                        .get(0));
    }

    public static String queue(String namespace) {
        return "worker_" + namespace + "_queue";
    }

    /** Reads (and so hides) up to {@code n} messages of a queue, as a poll does. */
    public List<QueueMessage> read(String queue, int n) {
        return new PgmqClient(pool).read(queue, 30, n).await().atMost(TIMEOUT);
    }

    /** The first column of every row, as text. */
    public List<String> strings(String sql, Object... args) {
        try (Connection c = db.connect();
                PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                st.setObject(i + 1, args[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** One value of one row: {@code strings(sql, args).get(0)}, or null when there is no row. */
    public String string(String sql, Object... args) {
        List<String> rows = strings(sql, args);
        return rows.isEmpty() ? null : rows.get(0);
    }

    public long count(String sql, Object... args) {
        return Long.parseLong(string(sql, args));
    }

    /** Runs a statement that returns no rows (DML or DDL). */
    public void update(String sql, Object... args) {
        try (Connection c = db.connect();
                PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                st.setObject(i + 1, args[i]);
            }
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** The step of a task with this name: its state, last error and results, as SQL sees them. */
    public String stepField(UUID task, String stepName, String expression) {
        return string(
                "SELECT ("
                        + expression
                        + ")::text FROM tasker.workflow_steps WHERE task_uuid = ?::uuid AND name = ?",
                task.toString(),
                stepName);
    }

    @Override
    public void close() {
        pool.close().await().atMost(TIMEOUT);
        vertx.close().await().atMost(TIMEOUT);
    }
}

package io.tasker.migrations;

import static io.tasker.migrations.Sql.queryList;
import static io.tasker.migrations.Sql.queryMap;
import static io.tasker.migrations.Sql.queryOne;
import static io.tasker.migrations.Sql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every function that locks tasks, steps and queue rows, run at once against the same few tasks:
 * with one lock order (task, then steps in uuid order, then queue rows) none of them ever fails
 * with a deadlock, and every round ends in states that agree with each other.
 */
class LockOrderTest {

    private static final String QUEUE = "worker_lock_queue";
    private static final String RESULTS = Workflows.RESULTS;
    private static final String READ =
            "SELECT msg_id, message->>'step_uuid' FROM pgmq.read(?::text, ?, ?)";
    private static final String STEP =
            """
            "handler": "examples.noop", "timeout_seconds": 1,
            "retry": {"max_attempts": 3, "backoff": "fixed", "backoff_base_ms": 0, "jitter_percent": 0}
            """;
    private static final String DIAMOND =
            """
            {"steps": [
              {"name": "a", %1$s},
              {"name": "b", "depends_on": ["a"], %1$s},
              {"name": "c", "depends_on": ["a"], %1$s},
              {"name": "d", "depends_on": ["b", "c"], %1$s}
            ],
             "lifecycle": {"max_duration_minutes": 1}}
            """
                    .formatted(STEP);
    private static final int ROUNDS = 6;
    private static final int TASKS_PER_ROUND = 4;
    private static final Duration ROUND_LENGTH = Duration.ofMillis(1500);

    /** Operator actions the state of a step or task may refuse; everything else is a failure. */
    private static final Set<String> REFUSALS = Set.of("TK010", "TK011");

    @RegisterExtension
    static final MigratedSchema LOCKS =
            new MigratedSchema("lock_order", "lock", "diamond", DIAMOND);

    private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> calls = new ConcurrentHashMap<>();

    /** What each backend is running, so a deadlock report names both sides. */
    private final Map<Integer, String> running = new ConcurrentHashMap<>();

    private final ThreadLocal<Integer> backend = new ThreadLocal<>();

    @Test
    void concurrent_claims_reports_cancels_and_archives_never_deadlock() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            List<UUID> tasks = new ArrayList<>();
            for (int i = 0; i < TASKS_PER_ROUND; i++) {
                tasks.add(createTask());
            }
            runConcurrently(tasks);
            assertThat(unexpected).as("errors in round %d", round).isEmpty();

            // Drain what is left with one worker and one orchestrator, so every task finishes.
            try (Connection c = LOCKS.connect()) {
                backend.set(queryOne(c, "SELECT pg_backend_pid()", Integer.class));
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(
                                () -> {
                                    workOnce(c, "drain", false);
                                    processOnce(c);
                                    return unfinished(tasks) == 0;
                                });
            }
            assertThat(unexpected).as("errors while draining round %d", round).isEmpty();
            assertConsistent(tasks);
        }
        // The run exercised every path, not just some.
        assertThat(calls)
                .containsKeys(
                        "claimed",
                        "heartbeat",
                        "report",
                        "process",
                        "cancel",
                        "operate",
                        "archive",
                        "sweep");
    }

    private void runConcurrently(List<UUID> tasks) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Actor> actors =
                List.of(
                        c -> workOnce(c, "w1", true),
                        c -> workOnce(c, "w2", true),
                        c -> workOnce(c, "w3", true),
                        this::processOnce,
                        this::processOnce,
                        c -> operateOnce(c, tasks),
                        c -> operateOnce(c, tasks),
                        c -> poisonOnce(c),
                        c -> sweepOnce(c, tasks));
        ExecutorService threads = Executors.newFixedThreadPool(actors.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Actor actor : actors) {
                running.add(
                        threads.submit(
                                () -> {
                                    try (Connection c = LOCKS.connect()) {
                                        backend.set(
                                                queryOne(
                                                        c,
                                                        "SELECT pg_backend_pid()",
                                                        Integer.class));
                                        while (!stop.get()) {
                                            actor.act(c);
                                        }
                                    }
                                    return null;
                                }));
            }
            long end = System.nanoTime() + ROUND_LENGTH.toNanos();
            while (System.nanoTime() < end && running.stream().noneMatch(Future::isDone)) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            stop.set(true);
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface Actor {
        void act(Connection c) throws SQLException;
    }

    // --- actors ------------------------------------------------------------------------------

    /** A worker: read, claim, maybe heartbeat, report (or, when unruly, abandon the claim). */
    private void workOnce(Connection c, String workerId, boolean unruly) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Map<String, String> messages = guarded("read", () -> queryMap(c, READ, QUEUE, 2, 3));
        if (messages == null) {
            return;
        }
        for (Map.Entry<String, String> m : messages.entrySet()) {
            long msgId = Long.parseLong(m.getKey());
            UUID step = UUID.fromString(m.getValue());
            String claim =
                    guarded(
                            "claim",
                            () ->
                                    queryOne(
                                            c,
                                            "SELECT tasker.claim_step(?, ?, 1, ?, ?)::text",
                                            String.class,
                                            step,
                                            workerId,
                                            QUEUE,
                                            msgId));
            if (claim == null) {
                continue;
            }
            UUID token = ClaimTokens.of(claim);
            if (token == null) {
                if (claim.contains("not_claimable")) {
                    guarded(
                            "delete",
                            () ->
                                    queryOne(
                                            c,
                                            "SELECT pgmq.delete(?::text, ?::bigint)",
                                            Boolean.class,
                                            QUEUE,
                                            msgId));
                }
                continue;
            }
            count("claimed");
            if (unruly && random.nextInt(10) == 0) {
                continue;
            }
            if (random.nextBoolean()) {
                guarded(
                        "heartbeat",
                        () ->
                                queryOne(
                                        c,
                                        "SELECT tasker.heartbeat_step(?, ?, 2)",
                                        Boolean.class,
                                        step,
                                        token));
            }
            int dice = unruly ? random.nextInt(10) : 0;
            String outcome =
                    dice < 7 ? "success" : dice < 9 ? "retryable_failure" : "permanent_failure";
            guarded(
                    "report",
                    () ->
                            queryOne(
                                    c,
                                    "SELECT tasker.report_step_result(?, ?, ?, '{\"n\": 1}'::jsonb,"
                                            + " '{\"message\": \"boom\"}'::jsonb)",
                                    String.class,
                                    step,
                                    token,
                                    outcome));
        }
    }

    /** The orchestrator's result consumer: a batch of notices in one call. */
    private void processOnce(Connection c) {
        guarded(
                "process",
                () -> {
                    Map<String, String> read = queryMap(c, READ, RESULTS, 2, 10);
                    List<UUID> steps = read.values().stream().map(UUID::fromString).toList();
                    List<Long> ids = read.keySet().stream().map(Long::valueOf).toList();
                    if (steps.isEmpty()) {
                        return null;
                    }
                    Array stepArray = c.createArrayOf("uuid", steps.toArray());
                    Array idArray = c.createArrayOf("bigint", ids.toArray());
                    for (String outcome :
                            queryList(
                                    c,
                                    "SELECT r::text FROM tasker.process_step_results(?::uuid[], ?::bigint[]) r",
                                    stepArray,
                                    idArray)) {
                        if (outcome.contains("\"action\": \"error\"")) {
                            unexpected.add("process_step_results: " + outcome);
                        }
                    }
                    return null;
                });
    }

    /** An operator: cancels a task, or resets, resolves or completes one of its steps. */
    private void operateOnce(Connection c, List<UUID> tasks) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // pacing, not waiting
        ThreadLocalRandom random = ThreadLocalRandom.current();
        UUID task = tasks.get(random.nextInt(tasks.size()));
        if (random.nextInt(8) == 0) {
            guarded(
                    "cancel",
                    () ->
                            queryOne(
                                    c,
                                    "SELECT tasker.cancel_task(?, 'test', 'ops')",
                                    String.class,
                                    task));
            return;
        }
        String action =
                List.of("reset_for_retry", "resolve_manually", "complete_manually")
                        .get(random.nextInt(3));
        guarded(
                "operate",
                () ->
                        queryOne(
                                c,
                                "SELECT tasker.operate_step(t.task_uuid, s.workflow_step_uuid, ?, '{\"m\": 1}'::jsonb,"
                                        + " 'ops', 'test')"
                                        + " FROM tasker.tasks t JOIN tasker.workflow_steps s USING (task_uuid)"
                                        + " WHERE t.task_uuid = ? AND s.name = ?",
                                String.class,
                                action,
                                task,
                                List.of("a", "b", "c", "d").get(random.nextInt(4))));
    }

    /** Archives a random message of the worker queue, in flight or not. */
    private void poisonOnce(Connection c) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(15)); // pacing, not waiting
        guarded(
                "archive",
                () ->
                        queryOne(
                                c,
                                "SELECT tasker.archive_poison_message(?::text, m.msg_id, 'poison')"
                                        + " FROM (SELECT msg_id FROM pgmq.q_"
                                        + QUEUE
                                        + " ORDER BY random() LIMIT 1) m",
                                Boolean.class,
                                QUEUE));
    }

    /** Makes a task stale now and then and runs the staleness sweep. */
    private void sweepOnce(Connection c, List<UUID> tasks) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // pacing, not waiting
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (random.nextInt(10) == 0) {
            guarded(
                    "age",
                    () ->
                            update(
                                    c,
                                    "UPDATE tasker.tasks SET created_at = now() - interval '1 hour' WHERE task_uuid = ?",
                                    tasks.get(random.nextInt(tasks.size()))));
        }
        guarded("sweep", () -> queryOne(c, "SELECT tasker.sweep_stale_tasks(5)", Integer.class));
    }

    @FunctionalInterface
    private interface Call<T> {
        T call() throws SQLException;
    }

    /** Runs one call; a deadlock or any error but an operator refusal is recorded as unexpected. */
    private <T> T guarded(String what, Call<T> call) {
        Integer pid = backend.get();
        if (pid != null) {
            running.put(pid, what);
        }
        try {
            T result = call.call();
            count(what);
            return result;
        } catch (SQLException e) {
            if (REFUSALS.contains(e.getSQLState())) {
                count(what);
            } else {
                unexpected.add(
                        what
                                + ": SQLSTATE "
                                + e.getSQLState()
                                + " "
                                + e.getMessage()
                                + " (backends were running "
                                + running
                                + ")");
            }
            return null;
        }
    }

    private void count(String what) {
        calls.merge(what, 1, Integer::sum);
    }

    // --- end states --------------------------------------------------------------------------

    private static long unfinished(List<UUID> tasks) throws SQLException {
        return queryOne(
                LOCKS.admin(),
                "SELECT count(*) FROM tasker.tasks WHERE task_uuid = ANY(?::uuid[])"
                        + " AND current_state NOT IN ('complete', 'error', 'cancelled', 'resolved_manually')",
                Long.class,
                LOCKS.admin().createArrayOf("uuid", tasks.toArray()));
    }

    private static void assertConsistent(List<UUID> tasks) throws SQLException {
        Array ids = LOCKS.admin().createArrayOf("uuid", tasks.toArray());
        assertThat(
                        queryList(
                                LOCKS.admin(),
                                "SELECT t.task_uuid || ' ' || t.current_state || ' has step ' || s.name || ' '"
                                        + " || s.current_state"
                                        + " FROM tasker.tasks t JOIN tasker.workflow_steps s USING (task_uuid)"
                                        + " WHERE t.task_uuid = ANY(?::uuid[])"
                                        + "   AND ((t.current_state = 'complete'"
                                        + "         AND s.current_state NOT IN ('complete', 'resolved_manually'))"
                                        + "     OR s.current_state IN ('enqueued', 'in_progress', 'waiting_for_retry',"
                                        + "         'enqueued_for_orchestration', 'enqueued_as_error_for_orchestration'))",
                                ids))
                .as("steps that contradict their finished task")
                .isEmpty();
        assertThat(
                        queryList(
                                LOCKS.admin(),
                                "SELECT s.name || ' ' || s.current_state || ' attempt ' || a.attempt"
                                        + " FROM tasker.workflow_steps s JOIN tasker.workflow_step_attempts a"
                                        + "   USING (workflow_step_uuid)"
                                        + " WHERE s.task_uuid = ANY(?::uuid[]) AND a.outcome IS NULL",
                                ids))
                .as("attempts left open")
                .isEmpty();
        assertThat(
                        queryList(
                                LOCKS.admin(),
                                "SELECT s.name || ' attempts ' || s.attempts || ' rows ' || count(a.attempt)"
                                        + " FROM tasker.workflow_steps s LEFT JOIN tasker.workflow_step_attempts a"
                                        + "   ON a.workflow_step_uuid = s.workflow_step_uuid"
                                        + "  AND a.generation = s.attempt_generation"
                                        + " WHERE s.task_uuid = ANY(?::uuid[])"
                                        + " GROUP BY s.workflow_step_uuid, s.name, s.attempts"
                                        + " HAVING s.attempts <> count(a.attempt)",
                                ids))
                .as("attempt counters that disagree with the attempt rows")
                .isEmpty();
        assertThat(
                        queryList(
                                LOCKS.admin(),
                                "SELECT s.name FROM tasker.workflow_steps s"
                                        + " WHERE s.task_uuid = ANY(?::uuid[])"
                                        + "   AND (s.claim_token IS NOT NULL OR s.lease_expires_at IS NOT NULL)",
                                ids))
                .as("claims held on finished steps")
                .isEmpty();
        // The history: one most recent row per task and step, naming its current state, and sort
        // keys without gaps.
        assertThat(
                        queryList(
                                LOCKS.admin(),
                                "SELECT t.task_uuid::text FROM tasker.tasks t"
                                        + " WHERE t.task_uuid = ANY(?::uuid[]) AND ("
                                        + "   (SELECT count(*) FROM tasker.task_transitions x"
                                        + "     WHERE x.task_uuid = t.task_uuid AND x.most_recent"
                                        + "       AND x.to_state = t.current_state) <> 1"
                                        + "   OR (SELECT max(sort_key) + 1 - count(*) FROM tasker.task_transitions x"
                                        + "        WHERE x.task_uuid = t.task_uuid) <> 0)",
                                ids))
                .as("tasks whose history disagrees with their state")
                .isEmpty();
        assertThat(
                        queryList(
                                LOCKS.admin(),
                                "SELECT s.name FROM tasker.workflow_steps s"
                                        + " WHERE s.task_uuid = ANY(?::uuid[]) AND ("
                                        + "   (SELECT count(*) FROM tasker.workflow_step_transitions x"
                                        + "     WHERE x.workflow_step_uuid = s.workflow_step_uuid AND x.most_recent"
                                        + "       AND x.to_state = s.current_state) <> 1"
                                        + "   OR (SELECT max(sort_key) + 1 - count(*) FROM tasker.workflow_step_transitions x"
                                        + "        WHERE x.workflow_step_uuid = s.workflow_step_uuid) <> 0)",
                                ids))
                .as("steps whose history disagrees with their state")
                .isEmpty();
    }

    private static UUID createTask() throws SQLException {
        return LOCKS.createTask();
    }
}

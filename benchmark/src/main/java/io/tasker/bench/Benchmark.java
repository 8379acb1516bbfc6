package io.tasker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.client.TaskerApiException;
import io.tasker.client.TaskerClient;
import io.tasker.client.TaskerClientOptions;
import io.tasker.client.TaskerConnectionException;
import io.tasker.client.TemplateFormat;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.api.CreateTaskRequest;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark harness: PostgreSQL (embedded, or {@code --db-url}), the orchestrator and N workers
 * as separate processes with production settings, every scenario after a warm-up and repeated,
 * results as JSON and markdown beside the raw pgmq cycle rate measured in the same run.
 *
 * <pre>
 * ./bench [--quick] [--repeats N] [--db-url jdbc:postgresql://host:port/db --db-user U --db-password P] [--out DIR]
 *         [--scenario all|overload|auth]
 * </pre>
 *
 * <p>{@code --scenario overload} runs only the overload test: task creation at several times the
 * sustainable rate, then checks that nothing was lost or duplicated. {@code --scenario auth} runs
 * only the task creation latency with authentication off and on, side by side.
 */
public final class Benchmark {

    private final boolean quick;
    private final int repeats;
    private final Path root;
    private final Path out;
    private final String externalUrl;
    private final String dbUser;
    private final String dbPassword;
    private final boolean profile;
    private final String scenario;
    private final List<Proc> workers = new ArrayList<>();
    private final ObjectNode report = JsonSupport.object();
    private final StringBuilder markdown = new StringBuilder();
    private EmbeddedPostgres embedded;
    private String jdbcUrl;
    private String reactiveUrl;
    private Proc orchestrator;
    private TaskerClient api;

    // The orchestrators of a bench run authenticate; these never leave the machine.
    private static final String BENCH_KEY_SECRET = "bench-only-key-secret-0123456789abcdef";
    private static final String BENCH_ADMIN_KEY =
            "tk_00000000be0c_bench-bench-bench-bench-bench-be";

    private Benchmark(Map<String, String> args) {
        this.quick = args.containsKey("quick");
        this.repeats = Integer.parseInt(args.getOrDefault("repeats", quick ? "1" : "3"));
        this.root = Path.of(System.getProperty("tasker.root", ".")).toAbsolutePath().normalize();
        this.out = Path.of(args.getOrDefault("out", root.resolve("benchmark/results").toString()));
        this.externalUrl = args.get("db-url");
        this.dbUser = args.getOrDefault("db-user", "postgres");
        this.dbPassword = args.getOrDefault("db-password", "postgres");
        this.profile = args.containsKey("profile");
        this.scenario = args.getOrDefault("scenario", "all");
        if (!List.of("all", "overload", "auth").contains(scenario)) {
            throw new IllegalArgumentException(
                    "unknown scenario " + scenario + " (all, overload or auth)");
        }
    }

    private static final String USAGE =
            """
            usage: ./bench [--quick] [--profile] [--repeats N] [--out DIR]
                           [--db-url JDBC_URL --db-user USER --db-password PASSWORD]
                           [--scenario all|overload|auth]
              Starts PostgreSQL (embedded unless --db-url), the orchestrator and workers as
              separate processes, runs every scenario and writes
              benchmark/results/benchmark-<time>.{json,md} (and latest.{json,md}).""";

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
            String key = a.substring(2);
            if (key.equals("help")) {
                System.out.println(USAGE);
                return;
            }
            if (key.equals("quick") || key.equals("profile")) {
                args.put(key, "true");
            } else if (i + 1 < argv.length) {
                args.put(key, argv[++i]);
            } else {
                throw new IllegalArgumentException(a + " needs a value\n" + USAGE);
            }
        }
        Benchmark b = new Benchmark(args);
        try {
            b.run();
        } finally {
            b.shutdown();
        }
    }

    private void run() throws Exception {
        Instant started = Instant.now();
        startDatabase();
        describe();
        if (scenario.equals("overload")) {
            overload();
            report.put("duration_seconds", Duration.between(started, Instant.now()).toSeconds());
            write();
            return;
        }
        orchestrator = startOrchestrator(Map.of());
        registerTemplates();
        if (scenario.equals("auth")) {
            authOverhead(quick ? 20 : 50);
            report.put("duration_seconds", Duration.between(started, Instant.now()).toSeconds());
            write();
            return;
        }

        section("Raw pgmq send → read → delete (the baseline)");
        Map<Integer, Double> raw = new LinkedHashMap<>();
        ObjectNode rawJson = report.putObject("raw_pgmq_cycles_per_second");
        for (int clients : List.of(1, 2, 4)) {
            double rate = median(() -> rawCycles(clients, Duration.ofSeconds(quick ? 3 : 5)));
            raw.put(clients, rate);
            rawJson.put(String.valueOf(clients), round(rate));
        }
        table(
                List.of("clients", "cycles/s (median)"),
                raw.entrySet().stream()
                        .map(e -> List.of(e.getKey().toString(), fmt(e.getValue())))
                        .toList());

        section("Throughput: tasks submitted as fast as accepted");
        ArrayNode throughput = report.putArray("throughput");
        List<List<String>> rows = new ArrayList<>();
        int tasks = quick ? 200 : 1000;
        for (int w : List.of(1, 2, 4)) {
            setWorkers(w, Map.of());
            for (String template : List.of("bench_one", "bench_four")) {
                int steps = template.equals("bench_one") ? 1 : 4;
                runTasks(template, quick ? 20 : 100); // warm-up
                List<ObjectNode> runs = new ArrayList<>();
                for (int r = 0; r < repeats; r++) {
                    runs.add(throughputRun(template, steps, tasks));
                }
                ObjectNode m = medianRun(runs, "steps_per_second");
                m.put("workers", w);
                m.put("template", template);
                m.put(
                        "ratio_to_raw_pgmq",
                        round(m.get("steps_per_second").asDouble() / raw.get(w)));
                throughput.add(m);
                List<String> row = new ArrayList<>(List.of(String.valueOf(w), steps + "-step"));
                row.addAll(fmt(m, "tasks_per_second", "steps_per_second"));
                row.add(pct(m.get("ratio_to_raw_pgmq").asDouble()));
                row.addAll(
                        fmt(
                                m,
                                "commits_per_step",
                                "orchestrator_cpu_cores",
                                "workers_cpu_cores",
                                "postgres_cpu_cores"));
                rows.add(row);
            }
        }
        table(
                List.of(
                        "workers",
                        "tasks",
                        "tasks/s",
                        "steps/s",
                        "steps/s ÷ raw pgmq",
                        "DB commits/step",
                        "orchestrator CPU",
                        "workers CPU",
                        "PostgreSQL CPU"),
                rows);

        section("Optimisation check: result notices processed one transaction each vs per batch");
        ObjectNode batching = report.putObject("result_transactions");
        List<List<String>> batchRows = new ArrayList<>();
        setWorkers(1, Map.of());
        for (boolean perBatch : List.of(false, true)) {
            restartOrchestrator(
                    Map.of("TASKER_RESULTS_TRANSACTION_PER_BATCH", String.valueOf(perBatch)));
            runTasks("bench_four", quick ? 20 : 100); // warm-up
            List<ObjectNode> runs = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                runs.add(throughputRun("bench_four", 4, quick ? 200 : 500));
            }
            ObjectNode m = medianRun(runs, "steps_per_second");
            batching.set(perBatch ? "per_batch" : "per_notice", m);
            List<String> row =
                    new ArrayList<>(List.of(perBatch ? "per batch (default)" : "per notice"));
            row.addAll(
                    fmt(
                            m,
                            "steps_per_second",
                            "commits_per_step",
                            "orchestrator_cpu_cores",
                            "postgres_cpu_cores"));
            batchRows.add(row);
        }
        table(
                List.of(
                        "result transactions (1 worker, 4-step)",
                        "steps/s",
                        "DB commits/step",
                        "orchestrator CPU",
                        "PostgreSQL CPU"),
                batchRows);

        if (profile) {
            profileStatements();
        }

        section(
                "Latency: 20-step linear chain at low load (step-to-step, from transition timestamps)");
        ObjectNode latency = report.putObject("step_to_step_latency_ms");
        List<List<String>> latencyRows = new ArrayList<>();
        for (boolean listen : List.of(true, false)) {
            restartAll(listen);
            List<Double> gaps = new ArrayList<>();
            runTasks("bench_chain20", 1); // warm-up
            for (int i = 0; i < (quick ? 2 : 5) * repeats; i++) {
                gaps.addAll(chainGaps());
            }
            Collections.sort(gaps);
            ObjectNode l = latency.putObject(listen ? "listen_notify" : "polling_only");
            l.put("samples", gaps.size());
            l.put("p50", round(percentile(gaps, 50)));
            l.put("p95", round(percentile(gaps, 95)));
            l.put("p99", round(percentile(gaps, 99)));
            latencyRows.add(
                    List.of(
                            listen ? "LISTEN/NOTIFY" : "polling only",
                            String.valueOf(gaps.size()),
                            fmt(percentile(gaps, 50)),
                            fmt(percentile(gaps, 95)),
                            fmt(percentile(gaps, 99))));
        }
        restartAll(true);
        table(List.of("wake-ups", "samples", "p50 ms", "p95 ms", "p99 ms"), latencyRows);

        section("Fan-out: one task, 500 parallel steps and a join");
        setWorkers(2, Map.of());
        List<Double> fanTimes = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            fanTimes.add(timeOneTask("bench_fanout"));
        }
        ObjectNode fan = report.putObject("fan_out_500");
        fan.put("seconds_median", round(median(fanTimes)));
        fan.put("orchestrator_peak_rss_mb", orchestrator.peakRssMb());
        ArrayNode rss = fan.putArray("worker_peak_rss_mb");
        workers.forEach(w -> rss.add(w.peakRssMb()));
        table(
                List.of(
                        "workers",
                        "time to complete (median)",
                        "orchestrator peak RSS",
                        "worker peak RSS"),
                List.of(
                        List.of(
                                "2",
                                fmt(median(fanTimes)) + " s",
                                orchestrator.peakRssMb() + " MB",
                                workers.stream()
                                        .map(w -> w.peakRssMb() + " MB")
                                        .toList()
                                        .toString())));

        section("API: task creation latency at a fixed request rate");
        int rate = quick ? 20 : 50;
        List<Double> apiLatencies = apiLatency(rate, Duration.ofSeconds(quick ? 4 : 10));
        Collections.sort(apiLatencies);
        ObjectNode api = report.putObject("api_create_latency_ms");
        api.put("requests_per_second", rate);
        api.put("samples", apiLatencies.size());
        api.put("p50", round(percentile(apiLatencies, 50)));
        api.put("p99", round(percentile(apiLatencies, 99)));
        table(
                List.of("rate", "samples", "p50 ms", "p99 ms"),
                List.of(
                        List.of(
                                rate + "/s",
                                String.valueOf(apiLatencies.size()),
                                fmt(percentile(apiLatencies, 50)),
                                fmt(percentile(apiLatencies, 99)))));

        authOverhead(rate);

        section("Idle: queries per second sent to the database with no work");
        awaitDrained();
        setWorkers(1, Map.of());
        Duration window = Duration.ofSeconds(quick ? 6 : 12);
        Thread.sleep(3000); // past the last work and the workers' start-up
        double orchestratorBefore = orchestrator.statementsExecuted();
        double workerBefore = workers.get(0).statementsExecuted();
        Thread.sleep(window.toMillis());
        double orchestratorIdle =
                (orchestrator.statementsExecuted() - orchestratorBefore) / window.toSeconds();
        double workerIdle =
                (workers.get(0).statementsExecuted() - workerBefore) / window.toSeconds();
        ObjectNode idle = report.putObject("idle_queries_per_second");
        idle.put("orchestrator", round(orchestratorIdle));
        idle.put("worker", round(workerIdle));
        idle.put(
                "method",
                "statements executed by each service's pool (sql_pool_completed_total) over the window");
        table(
                List.of("service", "queries/s"),
                List.of(
                        List.of("orchestrator", fmt(orchestratorIdle)),
                        List.of("worker (2 namespace queues)", fmt(workerIdle))));

        report.put("duration_seconds", Duration.between(started, Instant.now()).toSeconds());
        write();
    }

    // --- scenarios ------------------------------------------------------------------------------

    /**
     * Task creation at several times the sustainable rate for a bounded time, with the overload
     * limits set low enough to be reached: every answer is a 201 or a 503 with Retry-After (never
     * another 5xx), every 201 task completes, and there are exactly as many task rows as 201s.
     */
    private void overload() throws Exception {
        orchestrator = startOrchestrator(Map.of());
        register(chain("bench_overload", 1));
        setWorkers(1, Map.of());
        runTasks("bench_overload", quick ? 20 : 100); // warm-up

        // The sustainable rate: tasks per second one worker completes when fed as fast as it takes.
        int calibration = quick ? 200 : 500;
        long t0 = System.nanoTime();
        runTasks("bench_overload", calibration);
        double sustainable = calibration / ((System.nanoTime() - t0) / 1e9);

        // Limits low enough to be reached by this load.
        int backlogLimit = 25;
        restartOrchestrator(
                Map.of(
                        "TASKER_API_MAX_NAMESPACE_BACKLOG", String.valueOf(backlogLimit),
                        "TASKER_API_BACKLOG_REFRESH_INTERVAL", "250ms",
                        "TASKER_DB_MAX_WAIT_QUEUE_SIZE", "32"));
        double factor = 4;
        int offered = (int) Math.ceil(sustainable * factor);
        Duration duration = Duration.ofSeconds(quick ? 10 : 20);
        long before = countTasks("bench_overload");

        ScheduledExecutorService ticker = Executors.newScheduledThreadPool(1);
        ExecutorService clients = Executors.newFixedThreadPool(128);
        Map<String, AtomicInteger> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        List<String> created = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger missingRetryAfter = new AtomicInteger();
        List<Future<?>> inFlight = Collections.synchronizedList(new ArrayList<>());
        int total = (int) (offered * duration.toSeconds());
        AtomicInteger sent = new AtomicInteger();
        long started = System.nanoTime();
        ticker.scheduleAtFixedRate(
                () -> {
                    if (sent.incrementAndGet() > total) {
                        return;
                    }
                    inFlight.add(
                            clients.submit(
                                    () -> {
                                        String key;
                                        try {
                                            created.add(create("bench_overload"));
                                            key = "201";
                                        } catch (TaskerApiException e) {
                                            key = String.valueOf(e.status());
                                            if (e.status() == 503) {
                                                // Which limit refused it: backlog or pool.
                                                key += " " + (e.code() == null ? "" : e.code());
                                                if (e.headers()
                                                        .firstValue("Retry-After")
                                                        .isEmpty()) {
                                                    missingRetryAfter.incrementAndGet();
                                                }
                                            }
                                        } catch (RuntimeException e) {
                                            // Named by the I/O failure when there was no
                                            // answer (a timeout, a refused connection).
                                            Throwable why =
                                                    e instanceof TaskerConnectionException
                                                            ? e.getCause()
                                                            : e;
                                            key = "error: " + why.getClass().getSimpleName();
                                        }
                                        statuses.computeIfAbsent(key, k -> new AtomicInteger())
                                                .incrementAndGet();
                                    }));
                },
                0,
                1_000_000L / offered,
                TimeUnit.MICROSECONDS);
        waitUntil(() -> sent.get() >= total, duration.plusSeconds(30));
        ticker.shutdownNow();
        for (Future<?> f : new ArrayList<>(inFlight)) {
            f.get();
        }
        clients.shutdown();
        double sendSeconds = (System.nanoTime() - started) / 1e9;

        // Every accepted task must finish: none lost under load.
        long drainStart = System.nanoTime();
        waitUntil(
                () -> countTerminal(created) == created.size(),
                Duration.ofSeconds(quick ? 60 : 120));
        double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
        long rows = countTasks("bench_overload") - before;
        long complete = countComplete(created);

        int accepted = statuses.getOrDefault("201", new AtomicInteger()).get();
        int refused =
                statuses.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("503"))
                        .mapToInt(e -> e.getValue().get())
                        .sum();
        long otherServerErrors =
                statuses.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("5") && !e.getKey().startsWith("503"))
                        .mapToLong(e -> e.getValue().get())
                        .sum();
        long other =
                statuses.entrySet().stream()
                        .filter(e -> !e.getKey().equals("201") && !e.getKey().startsWith("503"))
                        .mapToLong(e -> e.getValue().get())
                        .sum();
        String refusedBy =
                statuses.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("503 "))
                        .map(e -> e.getKey().substring(4) + " " + e.getValue().get())
                        .sorted()
                        .toList()
                        .toString();

        section("Overload: task creation at " + (int) factor + "× the sustainable rate");
        ObjectNode o = report.putObject("overload");
        o.put("sustainable_tasks_per_second", round(sustainable));
        o.put("offered_tasks_per_second", offered);
        o.put("seconds", round(sendSeconds));
        o.put("requests", total);
        ObjectNode byStatus = o.putObject("answers");
        statuses.forEach((k, v) -> byStatus.put(k, v.get()));
        o.put("max_namespace_backlog", backlogLimit);
        o.put("task_rows_written", rows);
        o.put("accepted_tasks_complete", complete);
        o.put("drain_seconds", round(drainSeconds));
        o.put("503_without_retry_after", missingRetryAfter.get());
        table(
                List.of(
                        "sustainable",
                        "offered",
                        "requests",
                        "201",
                        "503",
                        "other",
                        "task rows",
                        "201 tasks complete",
                        "drain"),
                List.of(
                        List.of(
                                fmt(sustainable) + "/s",
                                offered + "/s for " + fmt(sendSeconds) + " s",
                                String.valueOf(total),
                                String.valueOf(accepted),
                                refused + " " + refusedBy,
                                other == 0 ? "0" : statuses.toString(),
                                String.valueOf(rows),
                                String.valueOf(complete),
                                fmt(drainSeconds) + " s")));
        List<String> failures = new ArrayList<>();
        if (otherServerErrors > 0) {
            failures.add(otherServerErrors + " 5xx answers other than 503");
        }
        if (other > 0) {
            failures.add("answers other than 201/503: " + statuses);
        }
        if (missingRetryAfter.get() > 0) {
            failures.add(missingRetryAfter.get() + " 503 answers without Retry-After");
        }
        if (rows != accepted) {
            failures.add(rows + " task rows for " + accepted + " 201 answers");
        }
        if (complete != accepted) {
            failures.add((accepted - complete) + " accepted tasks did not complete");
        }
        if (refused == 0) {
            failures.add("no 503 at all: the load did not reach the limits");
        }
        o.put("passed", failures.isEmpty());
        String verdict =
                failures.isEmpty()
                        ? "\nPASSED: no 5xx but 503 (all with Retry-After), no lost and no duplicated task.\n"
                        : "\nFAILED: " + String.join("; ", failures) + "\n";
        markdown.append(verdict);
        System.out.print(verdict);
        if (!failures.isEmpty()) {
            write();
            throw new IllegalStateException("overload scenario failed: " + failures);
        }
    }

    private long countTasks(String template) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM tasker.tasks t JOIN tasker.named_tasks n"
                                        + " ON n.named_task_uuid = t.named_task_uuid WHERE n.name = ?")) {
            ps.setString(1, template);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long countTerminal(List<String> ids) throws SQLException {
        return countStates(ids, "'complete', 'error', 'cancelled', 'resolved_manually'");
    }

    private long countComplete(List<String> ids) throws SQLException {
        return countStates(ids, "'complete'");
    }

    private long countStates(List<String> ids, String states) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM tasker.tasks WHERE task_uuid = ANY (?::uuid[])"
                                        + " AND current_state IN ("
                                        + states
                                        + ")")) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private double rawCycles(int clients, Duration duration) throws Exception {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute("SELECT tasker.ensure_queue('bench_raw')");
            st.execute("SELECT pgmq.purge_queue('bench_raw')");
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicLong cycles = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            futures.add(
                    pool.submit(
                            () -> {
                                try (Connection c = connect();
                                        PreparedStatement send =
                                                c.prepareStatement(
                                                        "SELECT pgmq.send('bench_raw'::text, '{\"n\": 1}'::jsonb, 0::integer)");
                                        PreparedStatement read =
                                                c.prepareStatement(
                                                        "SELECT msg_id FROM pgmq.read('bench_raw'::text, 30::integer, 1::integer)");
                                        PreparedStatement delete =
                                                c.prepareStatement(
                                                        "SELECT pgmq.delete('bench_raw'::text, ?::bigint)")) {
                                    while (System.nanoTime() < end) {
                                        send.executeQuery().close();
                                        try (ResultSet rs = read.executeQuery()) {
                                            if (rs.next()) {
                                                delete.setLong(1, rs.getLong(1));
                                                delete.executeQuery().close();
                                            }
                                        }
                                        cycles.incrementAndGet();
                                    }
                                }
                                return null;
                            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        return cycles.get() / (duration.toNanos() / 1e9);
    }

    private ObjectNode throughputRun(String template, int steps, int tasks) throws Exception {
        long commitsBefore = commits();
        long orchCpu = orchestrator.cpuTicks();
        long workerCpu = workers.stream().mapToLong(Proc::cpuTicks).sum();
        long pgCpu = postgresCpuTicks();
        long t0 = System.nanoTime();
        runTasks(template, tasks);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long commits = commits() - commitsBefore;
        double ticks = ticksPerSecond();
        ObjectNode r = JsonSupport.object();
        r.put("tasks", tasks);
        r.put("seconds", round(seconds));
        r.put("tasks_per_second", round(tasks / seconds));
        r.put("steps_per_second", round(tasks * steps / seconds));
        r.put("commits_per_step", round((double) commits / (tasks * steps)));
        r.put(
                "orchestrator_cpu_cores",
                round((orchestrator.cpuTicks() - orchCpu) / ticks / seconds));
        r.put(
                "workers_cpu_cores",
                round(
                        (workers.stream().mapToLong(Proc::cpuTicks).sum() - workerCpu)
                                / ticks
                                / seconds));
        r.put("postgres_cpu_cores", round((postgresCpuTicks() - pgCpu) / ticks / seconds));
        return r;
    }

    /** Submits tasks with 8 concurrent clients and waits until none is active any more. */
    private void runTasks(String template, int count) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> posts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                posts.add(clients.submit(() -> create(template)));
            }
            for (Future<String> f : posts) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException(
                            "task creation failed: " + e.getCause().getMessage(), e.getCause());
                }
            }
        } finally {
            // Not left running on failure: its threads would keep the JVM alive.
            clients.shutdownNow();
        }
        awaitDrained();
    }

    private List<Double> chainGaps() throws Exception {
        String id = create("bench_chain20");
        waitUntil(() -> taskState(id).equals("complete"), Duration.ofMinutes(2));
        List<Double> gaps = new ArrayList<>();
        try (Connection c = connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                """
                                SELECT extract(epoch FROM (nxt.created_at - done.created_at)) * 1000
                                  FROM tasker.workflow_steps s
                                  JOIN tasker.workflow_steps n ON n.task_uuid = s.task_uuid AND n.position = s.position + 1
                                  JOIN tasker.workflow_step_transitions done
                                    ON done.workflow_step_uuid = s.workflow_step_uuid AND done.to_state = 'enqueued_for_orchestration'
                                  JOIN tasker.workflow_step_transitions nxt
                                    ON nxt.workflow_step_uuid = n.workflow_step_uuid AND nxt.to_state = 'in_progress'
                                 WHERE s.task_uuid = ?::uuid
                                """)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    gaps.add(rs.getDouble(1));
                }
            }
        }
        return gaps;
    }

    private double timeOneTask(String template) throws Exception {
        long t0 = System.nanoTime();
        String id = create(template);
        waitUntil(() -> taskState(id).equals("complete"), Duration.ofMinutes(5));
        return (System.nanoTime() - t0) / 1e9;
    }

    private List<Double> apiLatency(int perSecond, Duration duration) throws Exception {
        return apiLatency(perSecond, duration, List.of(api())).get(0);
    }

    /**
     * Creates one-step tasks at a fixed rate for a while, the requests taking turns among {@code
     * clients}; returns each client's creation latencies (ms), in the order of {@code clients}.
     */
    private List<List<Double>> apiLatency(
            int perSecond, Duration duration, List<TaskerClient> clients) throws Exception {
        setWorkers(2, Map.of());
        ScheduledExecutorService ticker = Executors.newScheduledThreadPool(8);
        List<List<Double>> latencies = new ArrayList<>();
        clients.forEach(c -> latencies.add(Collections.synchronizedList(new ArrayList<>())));
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        long periodMicros = 1_000_000L / perSecond;
        int total = (int) (duration.toSeconds() * perSecond);
        AtomicInteger sent = new AtomicInteger();
        ticker.scheduleAtFixedRate(
                () -> {
                    int n = sent.incrementAndGet();
                    if (n > total) {
                        return;
                    }
                    int which = n % clients.size();
                    long t0 = System.nanoTime();
                    try {
                        create(clients.get(which), "bench_one");
                        latencies.get(which).add((System.nanoTime() - t0) / 1e6);
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                    done.incrementAndGet();
                },
                0,
                periodMicros,
                TimeUnit.MICROSECONDS);
        waitUntil(() -> done.get() >= total, duration.plusSeconds(60));
        ticker.shutdownNow();
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " task creations failed");
        }
        return latencies.stream().map(l -> (List<Double>) new ArrayList<>(l)).toList();
    }

    /** One more 4-worker, 4-step run with pg_stat_statements on: where PostgreSQL's time goes. */
    private void profileStatements() throws Exception {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            st.execute("SELECT pg_stat_statements_reset()");
        }
        runTasks("bench_four", quick ? 200 : 1000);
        section(
                "Where PostgreSQL's time goes (pg_stat_statements, one 4-step run, nested statements included)");
        List<List<String>> rows = new ArrayList<>();
        ArrayNode top = report.putArray("profile_top_statements");
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                """
                                SELECT toplevel, calls, round(total_exec_time::numeric, 1) AS ms,
                                       round((100 * total_exec_time / sum(total_exec_time) FILTER (WHERE toplevel) OVER ())::numeric, 1) AS pct,
                                       regexp_replace(left(query, 110), '\\s+', ' ', 'g') AS q
                                  FROM pg_stat_statements
                                 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                                 ORDER BY total_exec_time DESC LIMIT 25
                                """)) {
            while (rs.next()) {
                ObjectNode o = top.addObject();
                o.put("toplevel", rs.getBoolean(1));
                o.put("calls", rs.getLong(2));
                o.put("total_ms", rs.getDouble(3));
                o.put("percent_of_top_level", rs.getDouble(4));
                o.put("query", rs.getString(5));
                rows.add(
                        List.of(
                                rs.getBoolean(1) ? "top" : "nested",
                                String.valueOf(rs.getLong(2)),
                                fmt(rs.getDouble(3)),
                                fmt(rs.getDouble(4)) + "%",
                                "`" + rs.getString(5).replace("|", "\\|") + "`"));
            }
        }
        table(List.of("level", "calls", "total ms", "% of top-level", "statement"), rows);
    }

    // --- processes ------------------------------------------------------------------------------

    private void startDatabase() throws Exception {
        if (externalUrl != null) {
            jdbcUrl = externalUrl;
        } else {
            Path dir = Files.createTempDirectory("tasker-bench-pg");
            embedded =
                    EmbeddedPostgres.builder()
                            .setDataDirectory(dir.resolve("data"))
                            .setCleanDataDirectory(true)
                            .setServerConfig("max_connections", "300")
                            .setServerConfig("shared_buffers", "256MB")
                            // Production durability (the embedded default turns it off).
                            .setServerConfig("synchronous_commit", "on")
                            .setServerConfig(
                                    "shared_preload_libraries", profile ? "pg_stat_statements" : "")
                            .setServerConfig("pg_stat_statements.track", profile ? "all" : "top")
                            .start();
            try (Connection c =
                            DriverManager.getConnection(
                                    "jdbc:postgresql://localhost:"
                                            + embedded.getPort()
                                            + "/postgres",
                                    dbUser,
                                    dbPassword);
                    Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE tasker_bench");
            }
            jdbcUrl = "jdbc:postgresql://localhost:" + embedded.getPort() + "/tasker_bench";
        }
        reactiveUrl = jdbcUrl.substring("jdbc:".length());
    }

    /**
     * Task creation latency with auth off and on, measured side by side: two fresh orchestrators
     * against the same database, one with authentication off and one with it on (the bench's API
     * key), started together and warmed up alike; the requests of one fixed-rate stream take turns
     * between them, so that both see the same machine, database and moment. The target is within 10
     * %.
     */
    private void authOverhead(int rate) throws Exception {
        section("API: task creation latency, authentication off vs on (API key), interleaved");
        Proc open = startOrchestrator(Map.of("TASKER_AUTH_ENABLED", "false"));
        Proc secured = startOrchestrator(Map.of());
        try {
            List<TaskerClient> clients =
                    List.of(client(open.url(), null), client(secured.url(), BENCH_ADMIN_KEY));
            apiLatency(rate, Duration.ofSeconds(quick ? 5 : 10), clients); // warm-up
            List<List<Double>> measured =
                    apiLatency(rate, Duration.ofSeconds(quick ? 8 : 20), clients);
            ObjectNode json = report.putObject("auth_create_latency_ms");
            List<List<String>> rows = new ArrayList<>();
            double[] p50 = new double[2];
            for (int i = 0; i < 2; i++) {
                List<Double> latencies = new ArrayList<>(measured.get(i));
                Collections.sort(latencies);
                ObjectNode m = json.putObject(i == 1 ? "auth_on" : "auth_off");
                m.put("samples", latencies.size());
                m.put("p50", round(percentile(latencies, 50)));
                m.put("p99", round(percentile(latencies, 99)));
                p50[i] = percentile(latencies, 50);
                rows.add(
                        List.of(
                                i == 1 ? "on (API key)" : "off",
                                String.valueOf(latencies.size()),
                                fmt(percentile(latencies, 50)),
                                fmt(percentile(latencies, 99))));
            }
            double ratio = p50[1] / p50[0];
            json.put("p50_ratio_on_to_off", round(ratio));
            table(List.of("auth", "samples", "p50 ms", "p99 ms"), rows);
            System.out.printf(
                    "median creation latency: auth off %.2f ms, auth on %.2f ms (%+.1f %%; target"
                            + " within 10 %%)%n",
                    p50[0], p50[1], (ratio - 1) * 100);
        } finally {
            open.stop();
            secured.stop();
        }
    }

    private Proc startOrchestrator(Map<String, String> extra) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(dbEnv());
        // Authentication on, as in production: the bench's client sends the bootstrap admin key.
        // The bench writes as fast as it is let, so the per-key write limit is off.
        env.put("TASKER_AUTH_KEY_SECRET", BENCH_KEY_SECRET);
        env.put("TASKER_AUTH_BOOTSTRAP_ADMIN_KEY", BENCH_ADMIN_KEY);
        env.put("TASKER_AUTH_RATE_LIMIT_ENABLED", "false");
        // The fan-out scenario registers a 502-step template, above the default limit of 256.
        env.put("TASKER_TEMPLATES_LIMITS_MAX_STEPS", "1024");
        env.put("TASKER_TEMPLATES_LIMITS_MAX_DEPENDENCIES_PER_STEP", "1024");
        env.putAll(extra);
        return Proc.start(root, "orchestrator", "orchestrator-service", env, out.resolve("logs"));
    }

    private void setWorkers(int count, Map<String, String> extra) throws Exception {
        while (workers.size() > count) {
            workers.remove(workers.size() - 1).stop();
        }
        while (workers.size() < count) {
            Map<String, String> env = new LinkedHashMap<>(dbEnv());
            env.put("TASKER_WORKER_NAMESPACES", "bench,examples");
            // The worker registers the reference templates it ships; the bench templates are
            // registered by the benchmark itself (registerTemplates).
            env.put("TASKER_WORKER_ORCHESTRATOR_URL", orchestrator.url());
            env.put("TASKER_WORKER_ORCHESTRATOR_API_KEY", BENCH_ADMIN_KEY);
            env.putAll(extra);
            workers.add(
                    Proc.start(
                            root,
                            "worker-" + (workers.size() + 1),
                            "worker-service",
                            env,
                            out.resolve("logs")));
        }
    }

    private void restartOrchestrator(Map<String, String> env) throws Exception {
        orchestrator.stop();
        orchestrator = startOrchestrator(env);
    }

    private void restartAll(boolean listen) throws Exception {
        int count = Math.max(1, workers.size());
        setWorkers(0, Map.of());
        orchestrator.stop();
        Map<String, String> mode = Map.of("TASKER_RESULTS_LISTEN", String.valueOf(listen));
        orchestrator = startOrchestrator(mode);
        setWorkers(count, Map.of("TASKER_WORKER_LISTEN", String.valueOf(listen)));
    }

    private Map<String, String> dbEnv() {
        return Map.of(
                "TASKER_DB_REACTIVE_URL", reactiveUrl,
                "TASKER_DB_JDBC_URL", jdbcUrl,
                "TASKER_DB_USER", dbUser,
                "TASKER_DB_PASSWORD", dbPassword,
                "TASKER_LOG_LEVEL", "WARN");
    }

    private void shutdown() {
        workers.forEach(Proc::stop);
        if (orchestrator != null) {
            orchestrator.stop();
        }
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                System.err.println("PostgreSQL did not stop cleanly: " + e.getMessage());
            }
        }
    }

    // --- templates and API ----------------------------------------------------------------------

    private void registerTemplates() throws Exception {
        register(chain("bench_one", 1));
        register(chain("bench_four", 4));
        register(chain("bench_chain20", 20));
        StringBuilder fan =
                new StringBuilder(
                        "namespace: bench\nname: bench_fanout\nversion: 1.0.0\nidentity_strategy: always_unique\nsteps:\n");
        fan.append("  - { name: root, handler: examples.noop }\n");
        StringBuilder deps = new StringBuilder();
        for (int i = 1; i <= 500; i++) {
            fan.append("  - { name: f")
                    .append(i)
                    .append(", handler: examples.noop, depends_on: [root] }\n");
            deps.append(i == 1 ? "" : ", ").append("f").append(i);
        }
        fan.append("  - { name: join, handler: examples.noop, depends_on: [")
                .append(deps)
                .append("] }\n");
        register(fan.toString());
    }

    private static String chain(String name, int steps) {
        StringBuilder y =
                new StringBuilder(
                        "namespace: bench\nname: "
                                + name
                                + "\nversion: 1.0.0\nidentity_strategy: always_unique\nsteps:\n");
        for (int i = 1; i <= steps; i++) {
            y.append("  - { name: s").append(i).append(", handler: examples.noop");
            if (i > 1) {
                y.append(", depends_on: [s").append(i - 1).append("]");
            }
            y.append(" }\n");
        }
        return y.toString();
    }

    private void register(String yaml) {
        api().registerTemplate(yaml, TemplateFormat.YAML);
    }

    /** Creates a task of a bench template with an empty context and returns its uuid. */
    private String create(String template) {
        return create(api(), template);
    }

    private static String create(TaskerClient client, String template) {
        return client.createTask(CreateTaskRequest.of("bench", template, JsonSupport.object()))
                .summary()
                .taskUuid()
                .toString();
    }

    /**
     * The task API of the running orchestrator: one client (one kept-alive connection pool) per
     * orchestrator process. A request may take 30 s at most.
     */
    private TaskerClient api() {
        String url = orchestrator.url();
        if (api == null || !api.options().baseUri().toString().equals(url)) {
            api = client(url, BENCH_ADMIN_KEY);
        }
        return api;
    }

    /** A client of the orchestrator at {@code url}, sending {@code key} unless it is null. */
    private static TaskerClient client(String url, String key) {
        TaskerClientOptions.Builder options =
                TaskerClientOptions.builder(url)
                        .requestTimeout(Duration.ofSeconds(30))
                        .userAgent("tasker-bench");
        if (key != null) {
            options.authorization("Bearer " + key);
        }
        return TaskerClient.create(options.build());
    }

    // --- database probes ------------------------------------------------------------------------

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, dbUser, dbPassword);
    }

    private long commits() throws SQLException {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute("SELECT pg_stat_force_next_flush()");
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    // From the table, not the API: reading a 502-step task view every 50 ms would load the
    // orchestrator whose time is being measured.
    private String taskState(String id) throws SQLException {
        try (Connection c = connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT current_state FROM tasker.tasks WHERE task_uuid = ?::uuid")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private void awaitDrained() throws Exception {
        waitUntil(
                () -> {
                    try (Connection c = connect();
                            Statement st = c.createStatement();
                            ResultSet rs =
                                    st.executeQuery(
                                            "SELECT count(*) FROM tasker.tasks WHERE current_state NOT IN"
                                                    + " ('complete', 'error', 'cancelled', 'resolved_manually')")) {
                        rs.next();
                        return rs.getLong(1) == 0;
                    }
                },
                Duration.ofMinutes(5));
    }

    /** CPU ticks of every PostgreSQL process on this machine (the embedded server's backends). */
    private long postgresCpuTicks() {
        long sum = 0;
        for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
            String cmd = h.info().command().orElse("");
            if (cmd.endsWith("/postgres") || cmd.endsWith("/bin/postgres")) {
                sum += Proc.cpuTicks(h.pid());
            }
        }
        return sum;
    }

    // --- reporting ------------------------------------------------------------------------------

    private void describe() throws Exception {
        ObjectNode machine = report.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("memory_gb", round(physicalMemoryGb()));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("cpu", cpuModel());
        machine.put(
                "java",
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            machine.put(
                    "postgresql",
                    rs.getString(1)
                            + (externalUrl == null ? " (embedded)" : " (" + externalUrl + ")"));
        }
        ObjectNode settings = report.putObject("settings");
        settings.put("mode", quick ? "quick" : "default");
        settings.put("repeats", repeats);
        settings.put(
                "services",
                "separate JVM processes, -Xmx384m, default service configuration, log level WARN");
        settings.put("worker_namespaces", "bench,examples");
        settings.put("handler", "examples.noop");
        ObjectNode versions = report.putObject("versions");
        versions.put("tasker", "0.1.0-SNAPSHOT");
        versions.put("quarkus", "3.37.1");
        report.put("started_at", Instant.now().toString());

        markdown.append(
                """
                # Benchmark results

                - machine: %s cores (%s), %s GB, %s, %s, PostgreSQL %s
                - mode: %s, %s repeat(s), medians reported; %s
                - versions: tasker 0.1.0-SNAPSHOT, Quarkus 3.37.1
                """
                        .formatted(
                                machine.get("cores").asInt(),
                                machine.get("cpu").asText(),
                                machine.get("memory_gb").asText(),
                                machine.get("os").asText(),
                                machine.get("java").asText(),
                                machine.get("postgresql").asText(),
                                settings.get("mode").asText(),
                                repeats,
                                settings.get("services").asText()));
        System.out.print(markdown);
    }

    private void write() throws IOException {
        Files.createDirectories(out);
        String stamp =
                DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                        .withZone(ZoneOffset.UTC)
                        .format(Instant.now());
        Path json = out.resolve("benchmark-" + stamp + ".json");
        Path md = out.resolve("benchmark-" + stamp + ".md");
        Files.writeString(
                json,
                JsonSupport.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        Files.writeString(md, markdown);
        Files.writeString(
                out.resolve("latest.json"),
                JsonSupport.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        Files.writeString(out.resolve("latest.md"), markdown);
        System.out.println("\nwrote " + json + " and " + md);
    }

    private void section(String title) {
        String s = "\n## " + title + "\n\n";
        markdown.append(s);
        System.out.print(s);
    }

    private void table(List<String> header, List<List<String>> rows) {
        StringBuilder t = new StringBuilder();
        t.append("| ").append(String.join(" | ", header)).append(" |\n");
        t.append("|").append("---|".repeat(header.size())).append("\n");
        for (List<String> r : rows) {
            t.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        markdown.append(t);
        System.out.print(t);
        System.out.flush();
    }

    // --- small helpers --------------------------------------------------------------------------

    private double median(ThrowingSupplier<Double> run) throws Exception {
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            values.add(run.get());
        }
        return median(values);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static ObjectNode medianRun(List<ObjectNode> runs, String key) {
        List<ObjectNode> sorted = new ArrayList<>(runs);
        sorted.sort((a, b) -> Double.compare(a.get(key).asDouble(), b.get(key).asDouble()));
        ObjectNode m = sorted.get(sorted.size() / 2).deepCopy();
        ArrayNode all = m.putArray("all_runs_" + key);
        runs.forEach(r -> all.add(r.get(key).asDouble()));
        return m;
    }

    private static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.2f", v);
    }

    /** The numbers {@code fields} of {@code run}, formatted as table cells. */
    private static List<String> fmt(JsonNode run, String... fields) {
        return Arrays.stream(fields).map(f -> fmt(run.get(f).asDouble())).toList();
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f%%", v * 100);
    }

    private static double ticksPerSecond() {
        return 100.0; // USER_HZ on Linux
    }

    private static double physicalMemoryGb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return Double.NaN;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static void waitUntil(ThrowingSupplier<Boolean> condition, Duration timeout)
            throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.get()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("condition not met within " + timeout);
    }

    @FunctionalInterface
    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }
}

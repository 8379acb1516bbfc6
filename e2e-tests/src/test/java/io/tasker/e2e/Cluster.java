package io.tasker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tasker.client.TaskerClient;
import io.tasker.client.TaskerClientOptions;
import io.tasker.client.TemplateFormat;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.TaskState;
import io.tasker.messages.api.CreateTaskRequest;
import io.tasker.messages.api.Step;
import io.tasker.messages.api.Task;
import io.tasker.messages.api.TemplateRegistration;
import io.tasker.testsupport.ServiceProcess;
import io.tasker.testsupport.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real deployment for tests: one fresh database, and orchestrators and workers started from their
 * packaged jars as separate JVM processes, talked to through the Java client of the task API.
 */
public final class Cluster implements AutoCloseable {

    private static final HttpClient RAW =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();

    /**
     * The key secret every orchestrator of a cluster starts with (auth is on, as in production).
     */
    static final String KEY_SECRET = "e2e-only-key-secret-0123456789abcdef";

    /** The bootstrap admin key of every orchestrator; the cluster's clients send it. */
    public static final String ADMIN_KEY = "tk_00000000e2e0_e2e-e2e-e2e-e2e-e2e-e2e-e2e-e2e-";

    private final TestDatabase.Database db;
    private final Path root;
    private final Path logs;
    private final List<ServiceProcess> services = new ArrayList<>();
    private final List<ServiceProcess> orchestrators = new ArrayList<>();
    private final Map<ServiceProcess, TaskerClient> clients = new ConcurrentHashMap<>();
    private int sequence;

    public Cluster(String purpose) {
        this(TestDatabase.freshEmpty(purpose));
    }

    /** A cluster on a given (empty) database. */
    public Cluster(TestDatabase.Database db) {
        this.db = db;
        this.root =
                Path.of(System.getProperty("tasker.repo.root", "..")).toAbsolutePath().normalize();
        this.logs = root.resolve("e2e-tests/target/e2e-logs/" + db.name());
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public TestDatabase.Database database() {
        return db;
    }

    /** Starts an orchestrator, and waits until it is ready. */
    public ServiceProcess startOrchestrator(Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TASKER_AUTH_KEY_SECRET", KEY_SECRET);
        env.put("TASKER_AUTH_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY);
        // The tests write as fast as they can with one key.
        env.put("TASKER_AUTH_RATE_LIMIT_ENABLED", "false");
        env.putAll(extraEnv);
        ServiceProcess o = start("orchestrator", "orchestrator-service", env);
        orchestrators.add(o);
        return o;
    }

    /**
     * Starts a worker serving the given namespaces, and waits until it is ready: it registers the
     * reference templates it ships with the first live orchestrator of the cluster, and reports
     * ready only once they are registered, so tasks of them can be created when this returns.
     */
    public ServiceProcess startWorker(String namespaces, Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TASKER_WORKER_NAMESPACES", namespaces);
        orchestrators.stream()
                .filter(ServiceProcess::alive)
                .findFirst()
                .ifPresent(o -> env.put("TASKER_WORKER_ORCHESTRATOR_URL", o.baseUrl()));
        // The bootstrap admin key has templates.write.
        env.put("TASKER_WORKER_ORCHESTRATOR_API_KEY", ADMIN_KEY);
        env.putAll(extraEnv);
        return start("worker", "worker-service", env);
    }

    private ServiceProcess start(String kind, String module, Map<String, String> extraEnv) {
        String name = kind + "-" + (++sequence);
        ServiceProcess.Builder builder =
                ServiceProcess.builder(name, ServiceProcess.packagedJar(root, module))
                        .jvmOptions("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                        .log(logs.resolve(name + ".log"))
                        .env("TASKER_DB_REACTIVE_URL", db.reactiveUrl())
                        .env("TASKER_DB_JDBC_URL", db.jdbcUrl())
                        .env("TASKER_DB_USER", db.user())
                        .env("TASKER_DB_PASSWORD", db.password())
                        .env("TASKER_WORKER_ID", name)
                        .env(extraEnv);
        ServiceProcess s = builder.launch();
        services.add(s);
        s.awaitReady(Duration.ofSeconds(120));
        return s;
    }

    /** The log a service of this cluster wrote, by name ({@code worker-2}), even once it exited. */
    public String log(String serviceName) {
        try {
            return Files.readString(logs.resolve(serviceName + ".log"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- the task API, through the Java client -------------------------------------------------

    /** The task API of an orchestrator of this cluster (one client per orchestrator). */
    public TaskerClient api(ServiceProcess orchestrator) {
        return clients.computeIfAbsent(
                orchestrator,
                o ->
                        TaskerClient.create(
                                TaskerClientOptions.builder(o.baseUrl())
                                        .authorization("Bearer " + ADMIN_KEY)
                                        .build()));
    }

    /** Registers a YAML template; a new or an identical version is fine. */
    public TemplateRegistration register(ServiceProcess orchestrator, String yaml) {
        return api(orchestrator).registerTemplate(yaml, TemplateFormat.YAML);
    }

    /** Creates a task and returns its uuid (an error answer throws). */
    public UUID createTask(ServiceProcess orchestrator, CreateTaskRequest request) {
        return api(orchestrator).createTask(request).summary().taskUuid();
    }

    /** A request for a template's latest version with a context written as JSON. */
    public static CreateTaskRequest request(String namespace, String name, String contextJson) {
        return CreateTaskRequest.of(namespace, name, JsonSupport.parse(contextJson));
    }

    /**
     * Waits until the task is in a terminal state (90 s at most) and checks that it is {@code
     * status}; returns its last view.
     */
    public Task awaitTaskStatus(ServiceProcess orchestrator, UUID id, TaskState status) {
        Task task = api(orchestrator).awaitTask(id, Duration.ofSeconds(90), Duration.ofMillis(200));
        if (task.summary().status() != status) {
            throw new AssertionError(
                    "task "
                            + id
                            + " ended "
                            + task.summary().status().wire()
                            + ", not "
                            + status.wire()
                            + ": "
                            + task);
        }
        return task;
    }

    /** The step of a task view with that name. */
    public static Step step(Task task, String name) {
        return task.step(name)
                .orElseThrow(() -> new AssertionError("no step " + name + " in " + task));
    }

    // --- raw HTTP: what the typed client does not express ----------------------------------------

    /**
     * Sends a request as given (with the cluster's admin key) and returns the answer, whatever its
     * status: for the services' non-API endpoints (health, OpenAPI) and for bodies the API's
     * records cannot carry.
     */
    public static HttpResponse<String> raw(
            String method, String url, String contentType, String body) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(url))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.header("Authorization", "Bearer " + ADMIN_KEY);
        try {
            return RAW.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The status of a GET on {@code url} (health, OpenAPI). */
    public static int status(String url) {
        return raw("GET", url, null, null).statusCode();
    }

    // --- what a run left behind ----------------------------------------------------------------

    /** Waits (polling every second, {@code atMost} in all) until {@code n} tasks are complete. */
    public void awaitCompleteTasks(long n, Duration atMost) {
        await("all " + n + " tasks complete")
                .atMost(atMost)
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () ->
                                count(
                                                "SELECT count(*) FROM tasker.tasks WHERE current_state = 'complete'")
                                        == n);
    }

    /**
     * Every step has exactly its five transitions and every task its six: nothing was recorded
     * twice.
     */
    public void assertNoTransitionRecordedTwice() {
        assertThat(
                        count(
                                "SELECT count(*) FROM (SELECT workflow_step_uuid FROM tasker.workflow_step_transitions"
                                        + " GROUP BY workflow_step_uuid HAVING count(*) <> 5"
                                        + " OR count(DISTINCT to_state) <> 5) x"))
                .isZero();
        assertThat(
                        count(
                                "SELECT count(*) FROM (SELECT task_uuid FROM tasker.task_transitions"
                                        + " GROUP BY task_uuid HAVING count(*) <> 6) x"))
                .isZero();
    }

    /**
     * How many tasks have a step named {@code step} whose result is the task's {@code even_number}
     * to the 16th power (the last step of the linear and diamond workflows).
     */
    public long tasksEndingInTheSixteenthPower(String step) {
        return count(
                "SELECT count(*) FROM tasker.workflow_steps s JOIN tasker.tasks t USING (task_uuid)"
                        + " WHERE s.name = ? AND s.results = to_jsonb(power((t.context->>'even_number')::numeric, 16))",
                step);
    }

    /** The invocations of {@code handler} a worker has counted, summed over its metric series. */
    public static long handlerInvocations(ServiceProcess worker, String handler) {
        Matcher m =
                Pattern.compile(
                                "^tasker_handler_invocations_total\\{[^}]*handler=\""
                                        + Pattern.quote(handler)
                                        + "\"[^}]*\\} ([0-9.E]+)$",
                                Pattern.MULTILINE)
                        .matcher(worker.metrics());
        long total = 0;
        while (m.find()) {
            total += (long) Double.parseDouble(m.group(1));
        }
        return total;
    }

    // --- SQL ------------------------------------------------------------------------------------

    public long count(String sql, Object... args) {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public List<String> strings(String sql, Object... args) {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /**
     * Stops every service at once: SIGTERM to all, then SIGKILL to any still running after 20 s.
     */
    @Override
    public void close() {
        services.forEach(ServiceProcess::requestStop);
        services.forEach(s -> s.stop(Duration.ofSeconds(20)));
    }
}

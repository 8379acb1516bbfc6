package io.tasker.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.JsonSupport;
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

/**
 * A real deployment for tests: one fresh database, and orchestrators and workers started from their
 * packaged jars as separate JVM processes, talked to over HTTP.
 */
public final class Cluster implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();

    private final TestDatabase.Database db;
    private final Path root;
    private final Path logs;
    private final List<ServiceProcess> services = new ArrayList<>();
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

    public Path templatesDir() {
        return root.resolve("worker-service/src/main/resources/templates");
    }

    /** Starts an orchestrator that loads the reference templates, and waits until it is ready. */
    public ServiceProcess startOrchestrator(Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TASKER_TEMPLATES_PATH", templatesDir().toString());
        env.putAll(extraEnv);
        return start("orchestrator", "orchestrator-service", env);
    }

    /** Starts a worker serving the given namespaces, and waits until it is ready. */
    public ServiceProcess startWorker(String namespaces, Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TASKER_WORKER_NAMESPACES", namespaces);
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

    // --- HTTP -----------------------------------------------------------------------------------

    public HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    public HttpResponse<String> post(String url, String contentType, String body) {
        return send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build());
    }

    public HttpResponse<String> patch(String url, String json) {
        return send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .method("PATCH", HttpRequest.BodyPublishers.ofString(json))
                        .build());
    }

    public HttpResponse<String> delete(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).DELETE().build());
    }

    public static JsonNode json(HttpResponse<String> response) {
        return JsonSupport.parse(response.body());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // --- the task API, as the tests use it -------------------------------------------------------

    /** Registers a YAML template; a new or an identical version is fine. */
    public void register(ServiceProcess orchestrator, String yaml) {
        HttpResponse<String> r =
                post(orchestrator.baseUrl() + "/v1/templates", "application/yaml", yaml);
        if (r.statusCode() != 200 && r.statusCode() != 201) {
            throw new AssertionError(
                    "template registration failed: " + r.statusCode() + " " + r.body());
        }
    }

    /** Creates a task from a JSON request body and returns its uuid (the answer must be 201). */
    public UUID createTask(ServiceProcess orchestrator, String body) {
        HttpResponse<String> r =
                post(orchestrator.baseUrl() + "/v1/tasks", "application/json", body);
        if (r.statusCode() != 201) {
            throw new AssertionError("task creation failed: " + r.statusCode() + " " + r.body());
        }
        return UUID.fromString(json(r).get("task_uuid").asText());
    }

    /** Polls the task until it reaches the state (90 s at most) and returns its last view. */
    public JsonNode awaitTaskStatus(ServiceProcess orchestrator, UUID id, String status) {
        JsonNode[] last = new JsonNode[1];
        await("task " + id + " " + status)
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            last[0] = json(get(orchestrator.baseUrl() + "/v1/tasks/" + id));
                            return status.equals(last[0].get("status").asText());
                        });
        return last[0];
    }

    /** The step of a task view with that name. */
    public static JsonNode step(JsonNode task, String name) {
        for (JsonNode s : task.get("steps")) {
            if (s.get("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no step " + name + " in " + task);
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

package io.tasker.local;

import io.tasker.client.TaskAwaitTimeoutException;
import io.tasker.client.TaskerApiException;
import io.tasker.client.TaskerClient;
import io.tasker.client.TaskerClientOptions;
import io.tasker.client.TaskerConnectionException;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.TaskState;
import io.tasker.messages.api.CreateTaskRequest;
import io.tasker.messages.api.Step;
import io.tasker.messages.api.Task;
import io.tasker.testsupport.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * The no-Docker way to run Tasker: {@code up} starts an embedded PostgreSQL 17 (data kept in {@code
 * .tasker-data/}), one orchestrator and one worker from their packaged jars, and waits for Ctrl-C;
 * {@code demo} submits an order-fulfillment task to a running stack and prints its result.
 */
public final class LocalStack {

    private final Path root;
    private final Path data;
    private final int pgPort;
    private final int apiPort;
    private final int workerPort;
    private final int managementPort;
    private final int workerManagementPort;
    private final List<ServiceProcess> services = new ArrayList<>();
    private EmbeddedPostgres postgres;

    private LocalStack(Path root) {
        this.root = root;
        this.data = root.resolve(".tasker-data");
        this.pgPort = intEnv("TASKER_LOCAL_PG_PORT", 54329);
        this.apiPort = intEnv("TASKER_LOCAL_API_PORT", 8080);
        this.workerPort = intEnv("TASKER_LOCAL_WORKER_PORT", 8081);
        this.managementPort = intEnv("TASKER_LOCAL_MANAGEMENT_PORT", 9000);
        this.workerManagementPort = intEnv("TASKER_LOCAL_WORKER_MANAGEMENT_PORT", 9001);
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "up" : args[0];
        Path root = Path.of(System.getProperty("tasker.root", ".")).toAbsolutePath().normalize();
        LocalStack stack = new LocalStack(root);
        switch (command) {
            case "up" -> stack.up();
            case "demo" -> System.exit(stack.demo());
            default -> {
                System.err.println("usage: tasker up | tasker demo");
                System.exit(2);
            }
        }
    }

    private void up() throws Exception {
        Path orchestratorJar = ServiceProcess.packagedJar(root, "orchestrator-service");
        Path workerJar = ServiceProcess.packagedJar(root, "worker-service");
        Files.createDirectories(data.resolve("logs"));
        log(
                "starting PostgreSQL 17 on port "
                        + pgPort
                        + " (data in "
                        + data.resolve("postgres")
                        + ")");
        postgres =
                EmbeddedPostgres.builder()
                        .setPort(pgPort)
                        .setDataDirectory(data.resolve("postgres"))
                        .setCleanDataDirectory(false)
                        .start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::down, "tasker-local-shutdown"));
        createDatabase();

        Map<String, String> db =
                Map.of(
                        "TASKER_DB_REACTIVE_URL",
                        "postgresql://localhost:" + pgPort + "/tasker",
                        "TASKER_DB_JDBC_URL",
                        "jdbc:postgresql://localhost:" + pgPort + "/tasker",
                        "TASKER_DB_USER",
                        "postgres",
                        "TASKER_DB_PASSWORD",
                        "postgres");
        DevCredentials credentials = DevCredentials.createOrLoad(data);
        Map<String, String> orchestratorEnv = new java.util.HashMap<>(db);
        orchestratorEnv.put("TASKER_AUTH_KEY_SECRET", credentials.keySecret);
        orchestratorEnv.put("TASKER_AUTH_BOOTSTRAP_ADMIN_KEY", credentials.adminKey);
        start("orchestrator", orchestratorJar, orchestratorEnv, apiPort, managementPort);

        // The worker registers the reference templates it ships with the orchestrator, and is
        // ready once they are.
        Map<String, String> workerEnv = new java.util.HashMap<>(db);
        workerEnv.put("TASKER_WORKER_NAMESPACES", "examples,fulfillment");
        // For a worker that registers its templates (role templates.write; admin has every role).
        workerEnv.put("TASKER_WORKER_ORCHESTRATOR_API_KEY", credentials.adminKey);
        workerEnv.put("TASKER_WORKER_ORCHESTRATOR_URL", "http://localhost:" + apiPort);
        start("worker", workerJar, workerEnv, workerPort, workerManagementPort);

        String api = "http://localhost:" + apiPort;
        String management = "http://localhost:" + managementPort;
        String workerManagement = "http://localhost:" + workerManagementPort;
        System.out.println();
        System.out.println("Tasker is up.");
        System.out.println(
                "  API          " + api + "/v1/tasks   (templates: " + api + "/v1/templates)");
        System.out.println("  Swagger UI   " + api + "/q/swagger-ui");
        System.out.println("  OpenAPI      " + api + "/q/openapi");
        // Health and metrics are on the management ports, not on the API port.
        System.out.println(
                "  Health       "
                        + management
                        + "/q/health/ready   worker: "
                        + workerManagement
                        + "/q/health/ready");
        System.out.println(
                "  Metrics      "
                        + management
                        + "/q/metrics   worker: "
                        + workerManagement
                        + "/q/metrics");
        System.out.println("  Logs         " + data.resolve("logs"));
        System.out.println(
                "  Admin key    "
                        + credentials.adminKey
                        + "   (development only; also in "
                        + credentials.adminKeyFile
                        + ")");
        System.out.println(
                "               curl -H \"Authorization: Bearer $(cat "
                        + credentials.adminKeyFile
                        + ")\" "
                        + api
                        + "/v1/tasks");
        System.out.println("Try it: ./tasker demo      Stop: Ctrl-C");
        // After the summary: the orchestrator has migrated, so the worker functions exist.
        ExtraWorkerLogin.fromEnvironment(pgPort).ifPresent(ExtraWorkerLogin::createAndPrint);
        System.out.flush();
        new CountDownLatch(1).await();
    }

    private int demo() {
        String key = DevCredentials.apiKey(data);
        if (key == null) {
            System.err.println(
                    "no API key: start the stack with ./tasker up (it writes one under "
                            + data.resolve("auth")
                            + ") or set TASKER_API_KEY");
            return 1;
        }
        TaskerClient api =
                TaskerClient.create(
                        TaskerClientOptions.builder("http://localhost:" + apiPort)
                                .connectTimeout(Duration.ofSeconds(3))
                                .userAgent("tasker-demo")
                                .authorization("Bearer " + key)
                                .build());
        String context =
                """
                {"order_id": %d,
                 "customer": {"id": "cust-1", "email": "ada@example.com"},
                 "items": [{"sku": "BOOK-1", "quantity": 2, "price": 12.50},
                           {"sku": "PEN-9", "quantity": 1, "price": 3.10}],
                 "payment": {"method": "card", "token": "tok_visa"},
                 "shipping": {"method": "express", "address": {"line1": "1 Rue de la Paix", "city": "Paris"}}}
                """
                        .formatted(Instant.now().toEpochMilli() % 1_000_000_000L);
        UUID id;
        try {
            id =
                    api.createTask(
                                    CreateTaskRequest.of(
                                            "fulfillment",
                                            "process_order",
                                            JsonSupport.parse(context)))
                            .summary()
                            .taskUuid();
        } catch (TaskerApiException e) {
            System.err.println("task creation failed: " + e.getMessage());
            return 1;
        } catch (TaskerConnectionException e) {
            System.err.println(
                    "no orchestrator answers on port "
                            + apiPort
                            + " (is ./tasker up running?): "
                            + e.getMessage());
            return 1;
        }
        System.out.println("created task " + id);
        Task task;
        try {
            task = api.awaitTask(id, Duration.ofSeconds(60), Duration.ofMillis(200));
        } catch (TaskAwaitTimeoutException e) {
            System.err.println("task did not complete: " + e.getMessage());
            return 1;
        }
        if (task.summary().status() != TaskState.COMPLETE) {
            System.err.println("task did not complete: " + task);
            return 1;
        }
        for (Step step : task.steps()) {
            System.out.println("  " + step.name() + " -> " + step.results());
        }
        System.out.println("task " + task.summary().taskUuid() + " complete");
        return 0;
    }

    private void createDatabase() throws SQLException {
        String url = "jdbc:postgresql://localhost:" + pgPort + "/postgres";
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'tasker'")) {
            if (!rs.next()) {
                st.execute("CREATE DATABASE tasker");
            }
        }
    }

    private void start(
            String name, Path jar, Map<String, String> env, int port, int managementPort) {
        ServiceProcess service =
                ServiceProcess.builder(name, jar)
                        .port(port)
                        .managementPort(managementPort)
                        .env(env)
                        .log(data.resolve("logs").resolve(name + ".log"))
                        .launch();
        services.add(service);
        log("starting " + name + " (pid " + service.pid() + ", log " + service.logFile() + ")");
        service.awaitReady(Duration.ofSeconds(120));
        log(name + " ready on port " + port + " (management port " + managementPort + ")");
    }

    private void down() {
        // The worker first, so it can still report its in-flight steps to a running database.
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).stop(Duration.ofSeconds(45));
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                System.err.println("PostgreSQL did not stop cleanly: " + e.getMessage());
            }
        }
        log("stopped");
    }

    private static int intEnv(String key, int fallback) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }

    private static void log(String message) {
        System.out.println("[tasker] " + message);
        System.out.flush();
    }
}

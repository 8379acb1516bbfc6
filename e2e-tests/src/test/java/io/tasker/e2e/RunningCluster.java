package io.tasker.e2e;

import io.tasker.client.TaskerClient;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.TaskState;
import io.tasker.messages.api.CreateTaskRequest;
import io.tasker.messages.api.Task;
import io.tasker.messages.api.TemplateRegistration;
import io.tasker.testsupport.ServiceProcess;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up most end-to-end classes share, registered as a static {@code @RegisterExtension}
 * field: before the class's tests a {@link Cluster} on a fresh database with one orchestrator and
 * one worker; after them the cluster is closed (its processes stopped).
 */
final class RunningCluster implements BeforeAllCallback, AfterAllCallback {

    private final String purpose;
    private final Map<String, String> orchestratorEnv;
    private final String workerNamespaces;
    private final Map<String, String> workerEnv;

    private Cluster cluster;
    private ServiceProcess orchestrator;
    private ServiceProcess worker;

    /**
     * @param purpose names the cluster's database and log folder
     * @param orchestratorEnv environment added to the orchestrator's
     * @param workerNamespaces the namespaces the worker serves (comma-separated)
     * @param workerEnv environment added to the worker's
     */
    RunningCluster(
            String purpose,
            Map<String, String> orchestratorEnv,
            String workerNamespaces,
            Map<String, String> workerEnv) {
        this.purpose = purpose;
        this.orchestratorEnv = orchestratorEnv;
        this.workerNamespaces = workerNamespaces;
        this.workerEnv = workerEnv;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = new Cluster(purpose);
        orchestrator = cluster.startOrchestrator(orchestratorEnv);
        worker = cluster.startWorker(workerNamespaces, workerEnv);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
        }
    }

    Cluster cluster() {
        return cluster;
    }

    ServiceProcess orchestrator() {
        return orchestrator;
    }

    ServiceProcess worker() {
        return worker;
    }

    /** The client of the orchestrator's API. */
    TaskerClient api() {
        return cluster.api(orchestrator);
    }

    /** Registers a YAML template with the orchestrator; see {@link Cluster#register}. */
    TemplateRegistration register(String yaml) {
        return cluster.register(orchestrator, yaml);
    }

    /** Creates a task through the orchestrator; its uuid. */
    UUID createTask(CreateTaskRequest request) {
        return cluster.createTask(orchestrator, request);
    }

    /** Waits until the task ends and checks its state; see {@link Cluster#awaitTaskStatus}. */
    Task awaitTaskStatus(UUID id, TaskState status) {
        return cluster.awaitTaskStatus(orchestrator, id, status);
    }

    /** The first column of a query's rows, as text; see {@link Cluster#strings}. */
    List<String> strings(String sql, Object... args) {
        return cluster.strings(sql, args);
    }

    /** A count query's answer; see {@link Cluster#count}. */
    long count(String sql, Object... args) {
        return cluster.count(sql, args);
    }

    /**
     * A request for template {@code name} of {@code namespace} with a context written as JSON;
     * {@code version} and {@code correlationId} may be null (the latest version, a new id).
     */
    static CreateTaskRequest request(
            String namespace, String name, String version, String context, UUID correlationId) {
        return new CreateTaskRequest(
                namespace,
                name,
                version,
                JsonSupport.parse(context),
                null,
                null,
                null,
                null,
                null,
                null,
                correlationId);
    }
}

package io.tasker.worker.internal.templates;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;
import io.tasker.client.TaskerApiException;
import io.tasker.client.TaskerClient;
import io.tasker.client.TaskerClientOptions;
import io.tasker.client.TaskerConnectionException;
import io.tasker.worker.internal.config.WorkerConfig;
import io.tasker.worker.internal.handler.HandlerRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;
import org.jboss.logging.Logger;

/**
 * At start, registers the templates the application ships ({@link TemplateFiles}) with the
 * orchestrator. It refuses to start when a template of a served namespace names a handler the
 * application lacks, when no orchestrator URL is configured, or when the orchestrator rejects a
 * template (a different body under an existing version); an unreachable orchestrator is tried again
 * with exponential backoff while readiness reports it.
 */
@ApplicationScoped
public class TemplateRegistrar {

    private static final Logger LOG = Logger.getLogger(TemplateRegistrar.class);

    /** Where registration stands, as readiness reports it. */
    public record Status(boolean done, String detail) {}

    private final TemplatesConfig config;
    private final WorkerConfig worker;
    private final HandlerRegistry handlers;
    private volatile Status status = new Status(false, "templates not registered yet");
    private volatile Cancellable retries;
    // Stops the application when a retry learns that a template is refused; tests record it.
    IntConsumer exit = Quarkus::asyncExit;

    public TemplateRegistrar(
            TemplatesConfig config, WorkerConfig worker, HandlerRegistry handlers) {
        this.config = config;
        this.worker = worker;
        this.handlers = handlers;
    }

    void onStart(@Observes StartupEvent event) {
        start(TemplateFiles.find(Thread.currentThread().getContextClassLoader()));
    }

    void onStop(@Observes ShutdownEvent event) {
        Cancellable r = retries;
        if (r != null) {
            r.cancel();
        }
    }

    /** Where registration stands. */
    public Status status() {
        return status;
    }

    /**
     * Checks and registers {@code found}; throws (stopping the start) on what retrying cannot fix.
     */
    void start(List<ShippedTemplate> found) {
        ShippedTemplates shipped = new ShippedTemplates(found);
        List<String> missing = shipped.missingHandlers(worker.namespaces(), handlers.names());
        if (!missing.isEmpty()) {
            throw new IllegalStateException(
                    "the worker cannot serve its own templates:\n  "
                            + String.join("\n  ", missing));
        }
        if (shipped.isEmpty()) {
            status = new Status(true, "no templates shipped");
            return;
        }
        if (!config.templates().register()) {
            status = new Status(true, "registration disabled (tasker.worker.templates.register)");
            LOG.infof(
                    "%d shipped templates not registered: tasker.worker.templates.register=false",
                    shipped.templates().size());
            return;
        }
        Optional<String> url = config.orchestrator().url().filter(u -> !u.isBlank());
        if (url.isEmpty()) {
            throw new IllegalStateException(
                    "the worker ships "
                            + shipped.templates().size()
                            + " templates ("
                            + shipped.templates().get(0).source()
                            + ", ...) but tasker.worker.orchestrator.url"
                            + " (TASKER_WORKER_ORCHESTRATOR_URL) is not set: set it to the"
                            + " orchestrator's base URL, or set tasker.worker.templates.register=false"
                            + " if they are registered another way");
        }
        TaskerClient client = client(url.get());
        try {
            shipped.registerAll(client);
            registered(shipped);
        } catch (RuntimeException e) {
            if (!ShippedTemplates.worthRetrying(e)) {
                throw e;
            }
            unreachable(url.get(), e);
            retries =
                    Uni.createFrom()
                            .item(
                                    () -> {
                                        shipped.registerAll(client);
                                        return shipped;
                                    })
                            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                            .onFailure(ShippedTemplates::worthRetrying)
                            .invoke(failure -> unreachable(url.get(), failure))
                            .onFailure(ShippedTemplates::worthRetrying)
                            .retry()
                            .withBackOff(
                                    config.templates().retryInitialBackoff(),
                                    config.templates().retryMaxBackoff())
                            .indefinitely()
                            .subscribe()
                            .with(this::registered, this::rejectedLater);
        }
    }

    private TaskerClient client(String url) {
        TaskerClientOptions.Builder options =
                TaskerClientOptions.builder(url).userAgent("tasker-worker");
        config.orchestrator()
                .apiKey()
                .filter(k -> !k.isBlank())
                .ifPresent(k -> options.authorization("Bearer " + k));
        return TaskerClient.create(options.build());
    }

    private void registered(ShippedTemplates shipped) {
        status = new Status(true, shipped.templates().size() + " templates registered");
    }

    private void unreachable(String url, Throwable e) {
        String reason =
                e instanceof TaskerConnectionException && e.getCause() != null
                        ? describe(e.getCause())
                        : e instanceof TaskerApiException api
                                ? "HTTP " + api.status() + " " + api.problem().title()
                                : describe(e);
        status =
                new Status(
                        false,
                        "templates not registered: orchestrator unreachable at "
                                + url
                                + ": "
                                + reason);
        LOG.warnf("%s; trying again", status.detail());
    }

    private void rejectedLater(Throwable e) {
        status = new Status(false, "templates not registered: " + e.getMessage());
        LOG.errorf(
                "%s; the worker stops: it must not serve templates the orchestrator refused",
                e.getMessage());
        exit.accept(1);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        String kind = e.getClass().getSimpleName();
        return message == null || message.isBlank() ? kind : kind + ": " + message;
    }
}

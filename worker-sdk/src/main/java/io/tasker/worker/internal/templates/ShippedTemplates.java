package io.tasker.worker.internal.templates;

import io.tasker.client.TaskerApiException;
import io.tasker.client.TaskerClient;
import io.tasker.client.TaskerConnectionException;
import io.tasker.client.TemplateFormat;
import io.tasker.messages.api.TemplateRegistration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The templates an application ships, checked against its handlers and registered with the
 * orchestrator through its HTTP API.
 */
public final class ShippedTemplates {

    private static final Logger LOG = Logger.getLogger(ShippedTemplates.class);

    private final List<ShippedTemplate> templates;

    public ShippedTemplates(List<ShippedTemplate> templates) {
        this.templates = List.copyOf(templates);
    }

    public List<ShippedTemplate> templates() {
        return templates;
    }

    public boolean isEmpty() {
        return templates.isEmpty();
    }

    /**
     * Every step run in a served namespace (the step's own {@code namespace}, else its template's)
     * whose handler this application lacks, as one line each ({@code template ns/name@1.0.0 (file):
     * step s1 names handler h, which this worker does not have}); empty when all are there. Steps
     * of namespaces this worker does not serve are another application's business.
     */
    public List<String> missingHandlers(Collection<String> namespaces, Set<String> handlers) {
        List<String> problems = new ArrayList<>();
        for (ShippedTemplate t : templates) {
            for (ShippedTemplate.StepHandlerName s : t.steps()) {
                if (namespaces.contains(s.namespace()) && !handlers.contains(s.handler())) {
                    problems.add(
                            "template "
                                    + t.label()
                                    + " ("
                                    + t.source()
                                    + "): step '"
                                    + s.step()
                                    + "' names handler '"
                                    + s.handler()
                                    + "', which this worker does not have");
                }
            }
        }
        return problems;
    }

    /**
     * Registers every template, in order. Registering identical content again is a no-op for the
     * orchestrator, so this may run on every start and be repeated after a failure.
     *
     * @throws TemplateRejectedException when the orchestrator refuses a template for good: a
     *     different body under an existing version, an invalid template, a missing permission
     * @throws RuntimeException a {@link TaskerConnectionException} or a {@link TaskerApiException}
     *     for which {@link #worthRetrying} is true, when trying again later may succeed
     */
    public void registerAll(TaskerClient client) {
        for (ShippedTemplate t : templates) {
            TemplateRegistration r;
            try {
                r =
                        client.registerTemplate(
                                t.body(), t.json() ? TemplateFormat.JSON : TemplateFormat.YAML);
            } catch (TaskerApiException e) {
                if (worthRetrying(e)) {
                    throw e;
                }
                throw new TemplateRejectedException(rejection(t, e), e);
            }
            LOG.infof(
                    "template %s from %s %s",
                    t.label(), t.source(), r.created() ? "registered" : "was already registered");
        }
    }

    /**
     * True for a failure that may pass: no answer, an overloaded or failing orchestrator (429,
     * 5xx).
     */
    public static boolean worthRetrying(Throwable e) {
        if (e instanceof TaskerConnectionException) {
            return true;
        }
        return e instanceof TaskerApiException api && (api.status() == 429 || api.status() >= 500);
    }

    private static String rejection(ShippedTemplate t, TaskerApiException e) {
        if (e.status() == 409) {
            return "template "
                    + t.label()
                    + " ("
                    + t.source()
                    + ") is already registered with different content: version "
                    + t.version()
                    + " of "
                    + t.namespace()
                    + "/"
                    + t.name()
                    + " cannot change; give the changed template a new version";
        }
        if (e.status() == 401 || e.status() == 403) {
            return "template "
                    + t.label()
                    + " ("
                    + t.source()
                    + ") was refused: HTTP "
                    + e.status()
                    + " (check tasker.worker.orchestrator.api-key and its permissions): "
                    + e.getMessage();
        }
        return "template " + t.label() + " (" + t.source() + ") was rejected: " + e.getMessage();
    }
}

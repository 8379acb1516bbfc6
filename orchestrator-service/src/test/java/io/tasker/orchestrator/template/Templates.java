package io.tasker.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.template.TemplateRepository.StoredTemplate;
import java.time.Duration;
import java.util.UUID;

/** Templates and template settings for tests: documents, stored rows, limits, retry defaults. */
public final class Templates {

    private Templates() {}

    /** {@code tasker.templates.limits.*}, component for component. */
    record Limits(
            int maxTemplateBytes,
            int maxSteps,
            int maxDependenciesPerStep,
            int maxNamespaceLength,
            int maxNameLength,
            int maxStepNameLength,
            int maxHandlerNameLength,
            int maxVersionComponentDigits,
            int maxInputSchemaBytes,
            int maxPatternLength,
            Duration patternMatchBudget,
            int maxYamlDepth)
            implements OrchestratorConfig.Templates.Limits {}

    /** The documented defaults of {@code tasker.templates.limits.*}. */
    static final Limits DEFAULTS =
            new Limits(524288, 256, 32, 29, 63, 63, 128, 9, 65536, 512, Duration.ofMillis(200), 64);

    /**
     * The default limits but for these: steps, dependencies per step, the lengths of namespace,
     * name, step name and handler name, and the digits of a version component.
     */
    static Limits limits(int steps, int deps, int ns, int name, int step, int handler, int digits) {
        return new Limits(
                DEFAULTS.maxTemplateBytes(),
                steps,
                deps,
                ns,
                name,
                step,
                handler,
                digits,
                DEFAULTS.maxInputSchemaBytes(),
                DEFAULTS.maxPatternLength(),
                DEFAULTS.patternMatchBudget(),
                DEFAULTS.maxYamlDepth());
    }

    /** The documented defaults of {@code tasker.retry.*}. */
    static final OrchestratorConfig.Retry RETRY = retry(3, "exponential", 1000, 30000, 10, 30);

    static OrchestratorConfig.Retry retry(
            int attempts, String backoff, long base, long max, int jitter, int timeout) {
        return new OrchestratorConfig.Retry() {
            @Override
            public int maxAttempts() {
                return attempts;
            }

            @Override
            public String backoff() {
                return backoff;
            }

            @Override
            public long backoffBaseMs() {
                return base;
            }

            @Override
            public long maxBackoffMs() {
                return max;
            }

            @Override
            public int jitterPercent() {
                return jitter;
            }

            @Override
            public int timeoutSeconds() {
                return timeout;
            }
        };
    }

    /** The validator with these settings and an input-schema compiler of the same limits. */
    static TemplateValidator validator(OrchestratorConfig.Retry retry, Limits limits) {
        return new TemplateValidator(retry, limits, new InputSchemas(limits));
    }

    /**
     * A valid template {@code namespace/name} 1.0.0 of {@code steps} steps named s0, s1, …, step i
     * depending on up to {@code deps} earlier ones.
     */
    public static ObjectNode graph(String namespace, String name, int steps, int deps) {
        ObjectNode t = JsonSupport.object();
        t.put("namespace", namespace);
        t.put("name", name);
        t.put("version", "1.0.0");
        ArrayNode list = t.putArray("steps");
        for (int i = 0; i < steps; i++) {
            ObjectNode step = list.addObject();
            step.put("name", "s" + i);
            step.put("handler", "examples.noop");
            ArrayNode dependsOn = step.putArray("depends_on");
            for (int d = Math.max(0, i - deps); d < i; d++) {
                dependsOn.add("s" + d);
            }
        }
        return t;
    }

    /** {@link #graph(String, String, int, int)} as limits/graph. */
    static ObjectNode graph(int steps, int deps) {
        return graph("limits", "graph", steps, deps);
    }

    /** A template {@code namespace/name} 1.0.0 of one step, s0, running examples.noop. */
    public static ObjectNode oneStep(String namespace, String name) {
        return graph(namespace, name, 1, 0);
    }

    /** The problem validation reports for a version with a component over {@code digits} digits. */
    public static String versionDigitsProblem(String version, int digits) {
        return "version '"
                + version
                + "' may have at most "
                + digits
                + " digits in each of MAJOR, MINOR and PATCH"
                + " (tasker.templates.limits.max-version-component-digits)";
    }

    /** A stored template as the repository returns it, with this configuration. */
    public static StoredTemplate stored(
            String namespace, String name, String version, JsonNode configuration) {
        return new StoredTemplate(
                UUID.randomUUID(),
                namespace,
                name,
                version,
                "hash-" + version,
                "strict",
                configuration,
                "2026-12-02T05:00:00Z");
    }
}

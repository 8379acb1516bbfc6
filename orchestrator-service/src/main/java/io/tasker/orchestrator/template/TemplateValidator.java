package io.tasker.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.QueueNames;
import io.tasker.orchestrator.config.OrchestratorConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks a template document and returns it normalised (every default filled in), or the full list
 * of what is wrong with it.
 */
public final class TemplateValidator {

    static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_]{0,62}$");
    static final Pattern VERSION =
            Pattern.compile("^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)$");

    /** The namespace is part of queue and table names: {@link QueueNames#NAMESPACE}. */
    static final int NAMESPACE_LENGTH_CEILING = 29;

    /** Names and step names: the database CHECK and {@link #NAME} allow 63 characters. */
    static final int NAME_LENGTH_CEILING = 63;

    /** Each version number must fit a 32-bit int wherever versions are compared: 9 digits do. */
    static final int VERSION_DIGITS_CEILING = 9;

    static final Pattern HANDLER =
            Pattern.compile("^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)*$");
    private static final Set<String> TOP_LEVEL =
            Set.of(
                    "namespace",
                    "name",
                    "version",
                    "description",
                    "input_schema",
                    "steps",
                    "lifecycle",
                    "identity_strategy");
    private static final Set<String> STEP_KEYS =
            Set.of(
                    "name",
                    "handler",
                    "config",
                    "depends_on",
                    "retry",
                    "timeout_seconds",
                    "description",
                    "inputs");
    private static final Set<String> RETRY_KEYS =
            Set.of(
                    "retryable",
                    "max_attempts",
                    "backoff",
                    "backoff_base_ms",
                    "max_backoff_ms",
                    "jitter_percent");
    private static final Set<String> LIFECYCLE_KEYS =
            Set.of("max_duration_minutes", "max_waiting_minutes");
    private static final Set<String> BACKOFFS = Set.of("exponential", "linear", "fixed");
    private static final Set<String> IDENTITY =
            Set.of("strict", "caller_provided", "always_unique");

    private final OrchestratorConfig.Retry defaults;
    private final OrchestratorConfig.Templates.Limits limits;
    private final InputSchemas schemas;

    public TemplateValidator(
            OrchestratorConfig.Retry defaults,
            OrchestratorConfig.Templates.Limits limits,
            InputSchemas schemas) {
        this.defaults = defaults;
        this.limits = limits;
        this.schemas = schemas;
    }

    /** The outcome: a normalised template, or the problems found. */
    public record Result(ObjectNode template, List<String> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    public Result validate(JsonNode doc) {
        List<String> problems = new ArrayList<>();
        if (doc == null || !doc.isObject()) {
            return new Result(null, List.of("the template must be an object"));
        }
        for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!TOP_LEVEL.contains(key)) {
                problems.add("unknown field '" + key + "'");
            }
        }
        ObjectNode out = JsonSupport.object();
        String namespace = text(doc, "namespace", problems, "namespace");
        if (!fits(
                namespace,
                "namespace",
                limits.maxNamespaceLength(),
                NAMESPACE_LENGTH_CEILING,
                problems)) {
            namespace = null;
        } else if (namespace != null && !QueueNames.isValidNamespace(namespace)) {
            problems.add(
                    "namespace '" + namespace + "' must match " + QueueNames.NAMESPACE.pattern());
        }
        String name = text(doc, "name", problems, "name");
        if (!fits(name, "name", limits.maxNameLength(), NAME_LENGTH_CEILING, problems)) {
            name = null;
        } else if (name != null && !NAME.matcher(name).matches()) {
            problems.add("name '" + name + "' must match " + NAME.pattern());
        }
        String version;
        if (doc.path("version").isNumber()) {
            problems.add(
                    "version "
                            + doc.get("version")
                            + " must be MAJOR.MINOR.PATCH written as a string (quote it in YAML)");
            version = null;
        } else {
            version = text(doc, "version", problems, "version");
        }
        if (version != null && !VERSION.matcher(version).matches()) {
            problems.add(
                    "version '"
                            + InputSchemas.shorten(version)
                            + "' must be MAJOR.MINOR.PATCH (e.g. 1.0.0)");
        } else if (version != null) {
            int digits = Math.min(limits.maxVersionComponentDigits(), VERSION_DIGITS_CEILING);
            for (String component : version.split("\\.")) {
                if (component.length() > digits) {
                    problems.add(
                            "version '"
                                    + InputSchemas.shorten(version)
                                    + "': each of MAJOR, MINOR and PATCH may have at most "
                                    + digits
                                    + " digits");
                    break;
                }
            }
        }
        out.put("namespace", namespace);
        out.put("name", name);
        out.put("version", version);
        JsonNode description = doc.get("description");
        if (description != null && !description.isNull() && !description.isTextual()) {
            problems.add("description must be a string");
        }
        out.put(
                "description",
                description == null || !description.isTextual() ? "" : description.asText());

        JsonNode identity = doc.get("identity_strategy");
        String strategy = identity == null || identity.isNull() ? "strict" : identity.asText();
        if (!IDENTITY.contains(strategy)) {
            problems.add(
                    "identity_strategy '"
                            + strategy
                            + "' must be one of "
                            + new TreeSet<>(IDENTITY));
        }
        out.put("identity_strategy", strategy);

        JsonNode schema = doc.get("input_schema");
        if (schema == null || schema.isNull()) {
            out.set("input_schema", JsonSupport.object().put("type", "object"));
        } else if (!schema.isObject()) {
            problems.add("input_schema must be a JSON Schema object");
        } else {
            problems.addAll(schemas.checkSchema(schema));
            out.set("input_schema", schema);
        }

        validateLifecycle(doc.get("lifecycle"), out, problems);
        validateSteps(doc.get("steps"), out, problems);
        return new Result(problems.isEmpty() ? out : null, problems);
    }

    private void validateLifecycle(JsonNode lifecycle, ObjectNode out, List<String> problems) {
        ObjectNode normalised = JsonSupport.object();
        normalised.put("max_duration_minutes", 1440);
        if (lifecycle != null && !lifecycle.isNull()) {
            if (!lifecycle.isObject()) {
                problems.add("lifecycle must be an object");
            } else {
                for (Iterator<String> it = lifecycle.fieldNames(); it.hasNext(); ) {
                    String key = it.next();
                    if (!LIFECYCLE_KEYS.contains(key)) {
                        problems.add("lifecycle: unknown field '" + key + "'");
                    }
                }
                for (String key : LIFECYCLE_KEYS) {
                    JsonNode v = lifecycle.get(key);
                    if (v == null || v.isNull()) {
                        continue;
                    }
                    if (!v.canConvertToInt()
                            || !v.isIntegralNumber()
                            || v.asInt() < 1
                            || v.asInt() > 525600) {
                        problems.add(
                                "lifecycle." + key + " must be an integer between 1 and 525600");
                    } else {
                        normalised.put(key, v.asInt());
                    }
                }
            }
        }
        out.set("lifecycle", normalised);
    }

    private void validateSteps(JsonNode steps, ObjectNode out, List<String> problems) {
        ArrayNode normalised = JsonSupport.array();
        out.set("steps", normalised);
        if (steps == null || !steps.isArray() || steps.isEmpty()) {
            problems.add("steps must be a non-empty list");
            return;
        }
        if (steps.size() > limits.maxSteps()) {
            // Checking each of them could list thousands of problems: the count is the problem.
            problems.add(
                    "steps: "
                            + steps.size()
                            + " steps, at most "
                            + limits.maxSteps()
                            + " allowed (tasker.templates.limits.max-steps)");
            return;
        }
        Map<String, List<String>> dependencies = new LinkedHashMap<>();
        Set<String> duplicates = new LinkedHashSet<>();
        int index = 0;
        for (JsonNode step : steps) {
            String where = "steps[" + index++ + "]";
            if (!step.isObject()) {
                problems.add(where + " must be an object");
                continue;
            }
            String stepName = text(step, "name", problems, where + ".name");
            if (!fits(
                    stepName,
                    where + ": name",
                    limits.maxStepNameLength(),
                    NAME_LENGTH_CEILING,
                    problems)) {
                stepName = null;
            }
            if (stepName != null) {
                where = "step '" + stepName + "'";
                if (!NAME.matcher(stepName).matches()) {
                    problems.add(where + ": name must match " + NAME.pattern());
                }
                if (dependencies.containsKey(stepName)) {
                    duplicates.add(stepName);
                }
            }
            for (Iterator<String> it = step.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!STEP_KEYS.contains(key)) {
                    problems.add(where + ": unknown field '" + key + "'");
                }
            }
            String handler = text(step, "handler", problems, where + ": handler");
            if (!fits(
                    handler,
                    where + ": handler",
                    limits.maxHandlerNameLength(),
                    Integer.MAX_VALUE,
                    problems)) {
                handler = null;
            } else if (handler != null && !HANDLER.matcher(handler).matches()) {
                problems.add(
                        where
                                + ": handler '"
                                + handler
                                + "' must be a dotted name like fulfillment.validate_order");
            }
            ObjectNode n = JsonSupport.object();
            n.put("name", stepName);
            n.put("handler", handler);
            JsonNode config = step.get("config");
            if (config != null && !config.isNull() && !config.isObject()) {
                problems.add(where + ": config must be an object");
            }
            n.set("config", config == null || !config.isObject() ? JsonSupport.object() : config);
            JsonNode inputs = step.get("inputs");
            if (inputs != null && !inputs.isNull() && !inputs.isObject()) {
                problems.add(where + ": inputs must be an object");
            }
            n.set("inputs", inputs == null || !inputs.isObject() ? JsonSupport.object() : inputs);
            Set<String> deps = new LinkedHashSet<>();
            JsonNode dependsOn = step.get("depends_on");
            if (dependsOn != null && !dependsOn.isNull()) {
                if (!dependsOn.isArray()) {
                    problems.add(where + ": depends_on must be a list of step names");
                } else if (dependsOn.size() > limits.maxDependenciesPerStep()) {
                    problems.add(
                            where
                                    + ": depends_on has "
                                    + dependsOn.size()
                                    + " entries, at most "
                                    + limits.maxDependenciesPerStep()
                                    + " allowed (tasker.templates.limits.max-dependencies-per-step)");
                } else {
                    for (JsonNode d : dependsOn) {
                        if (!d.isTextual()) {
                            problems.add(where + ": depends_on entries must be step names");
                        } else if (!deps.add(d.asText())) {
                            problems.add(
                                    where
                                            + ": depends on '"
                                            + InputSchemas.shorten(d.asText())
                                            + "' twice");
                        }
                    }
                }
            }
            ArrayNode depArray = JsonSupport.array();
            deps.forEach(depArray::add);
            n.set("depends_on", depArray);
            n.set("retry", retry(step.get("retry"), where, problems));
            int timeout = defaults.timeoutSeconds();
            JsonNode t = step.get("timeout_seconds");
            if (t != null && !t.isNull()) {
                if (!t.isIntegralNumber() || t.asLong() < 1 || t.asLong() > 86400) {
                    problems.add(
                            where + ": timeout_seconds must be an integer between 1 and 86400");
                } else {
                    timeout = t.asInt();
                }
            }
            n.put("timeout_seconds", timeout);
            normalised.add(n);
            if (stepName != null && !dependencies.containsKey(stepName)) {
                dependencies.put(stepName, List.copyOf(deps));
            }
        }
        for (String d : duplicates) {
            problems.add("duplicate step name '" + d + "'");
        }
        boolean unknown = false;
        for (Map.Entry<String, List<String>> e : dependencies.entrySet()) {
            for (String dep : e.getValue()) {
                if (dep.equals(e.getKey())) {
                    problems.add("step '" + e.getKey() + "' depends on itself");
                    unknown = true;
                } else if (!dependencies.containsKey(dep)) {
                    problems.add(
                            "step '"
                                    + e.getKey()
                                    + "' depends on unknown step '"
                                    + InputSchemas.shorten(dep)
                                    + "'");
                    unknown = true;
                }
            }
        }
        if (!unknown) {
            List<String> cycle = findCycle(dependencies);
            if (!cycle.isEmpty()) {
                problems.add("dependency cycle: " + String.join(" -> ", cycle));
            }
        }
    }

    private ObjectNode retry(JsonNode retry, String where, List<String> problems) {
        ObjectNode n = JsonSupport.object();
        n.put("retryable", true);
        n.put("max_attempts", defaults.maxAttempts());
        n.put("backoff", defaults.backoff());
        n.put("backoff_base_ms", defaults.backoffBaseMs());
        n.put("max_backoff_ms", defaults.maxBackoffMs());
        n.put("jitter_percent", defaults.jitterPercent());
        if (retry == null || retry.isNull()) {
            return n;
        }
        if (!retry.isObject()) {
            problems.add(where + ": retry must be an object");
            return n;
        }
        for (Iterator<String> it = retry.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!RETRY_KEYS.contains(key)) {
                problems.add(where + ": retry: unknown field '" + key + "'");
            }
        }
        JsonNode retryable = retry.get("retryable");
        if (retryable != null) {
            if (!retryable.isBoolean()) {
                problems.add(where + ": retry.retryable must be true or false");
            } else {
                n.put("retryable", retryable.asBoolean());
            }
        }
        long maxAttempts =
                range(retry, "max_attempts", 1, 100, where, problems, defaults.maxAttempts());
        n.put("max_attempts", (int) maxAttempts);
        JsonNode backoff = retry.get("backoff");
        if (backoff != null) {
            if (!backoff.isTextual() || !BACKOFFS.contains(backoff.asText())) {
                problems.add(where + ": retry.backoff must be one of " + new TreeSet<>(BACKOFFS));
            } else {
                n.put("backoff", backoff.asText());
            }
        }
        long base =
                range(
                        retry,
                        "backoff_base_ms",
                        0,
                        3_600_000,
                        where,
                        problems,
                        defaults.backoffBaseMs());
        long max =
                range(
                        retry,
                        "max_backoff_ms",
                        0,
                        86_400_000,
                        where,
                        problems,
                        defaults.maxBackoffMs());
        if (retry.has("max_backoff_ms") && max < base) {
            problems.add(where + ": retry.max_backoff_ms must not be below backoff_base_ms");
        }
        n.put("backoff_base_ms", base);
        n.put("max_backoff_ms", Math.max(max, base));
        n.put(
                "jitter_percent",
                (int)
                        range(
                                retry,
                                "jitter_percent",
                                0,
                                100,
                                where,
                                problems,
                                defaults.jitterPercent()));
        return n;
    }

    private static long range(
            JsonNode obj,
            String key,
            long min,
            long max,
            String where,
            List<String> problems,
            long fallback) {
        JsonNode v = obj.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            problems.add(
                    where
                            + ": retry."
                            + key
                            + " must be an integer between "
                            + min
                            + " and "
                            + max);
            return fallback;
        }
        return v.asLong();
    }

    /**
     * False (with the problem noted) when a name is longer than the configured limit or the ceiling
     * the storage imposes, whichever is smaller.
     */
    private static boolean fits(
            String value, String label, int configured, int ceiling, List<String> problems) {
        int max = Math.min(configured, ceiling);
        if (value == null || value.length() <= max) {
            return true;
        }
        problems.add(
                label
                        + " '"
                        + InputSchemas.shorten(value)
                        + "' is "
                        + value.length()
                        + " characters, at most "
                        + max
                        + " allowed");
        return false;
    }

    private static String text(JsonNode obj, String key, List<String> problems, String label) {
        JsonNode v = obj.get(key);
        if (v == null || v.isNull()) {
            problems.add(label + " is required");
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            problems.add(label + " must be a non-empty string");
            return null;
        }
        return v.asText();
    }

    /** A cycle as a path of step names (first name repeated at the end), or empty. */
    static List<String> findCycle(Map<String, List<String>> dependencies) {
        Map<String, Integer> color = new HashMap<>();
        for (String start : dependencies.keySet()) {
            if (color.getOrDefault(start, 0) != 0) {
                continue;
            }
            Deque<Iterator<String>> stack = new ArrayDeque<>();
            Deque<String> path = new ArrayDeque<>();
            color.put(start, 1);
            stack.push(dependencies.get(start).iterator());
            path.push(start);
            while (!stack.isEmpty()) {
                Iterator<String> it = stack.peek();
                if (it.hasNext()) {
                    String next = it.next();
                    int c = color.getOrDefault(next, 0);
                    if (c == 1) {
                        // The path is a stack (newest first), so walking it from the top lists
                        // the cycle in dependency order.
                        List<String> cycle = new ArrayList<>();
                        cycle.add(next);
                        for (String p : path) {
                            cycle.add(p);
                            if (p.equals(next)) {
                                break;
                            }
                        }
                        return cycle;
                    }
                    if (c == 0 && dependencies.containsKey(next)) {
                        color.put(next, 1);
                        stack.push(dependencies.get(next).iterator());
                        path.push(next);
                    }
                } else {
                    stack.pop();
                    color.put(path.pop(), 2);
                }
            }
        }
        return List.of();
    }
}

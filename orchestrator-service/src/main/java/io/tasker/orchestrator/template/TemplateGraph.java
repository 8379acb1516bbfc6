package io.tasker.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
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

/**
 * What the template schema cannot say about the step graph: names are unique, every dependency
 * names another step of the template, and the dependencies form no cycle. Steps the schema already
 * refused (no name, a malformed depends_on) are skipped, so both lists can be reported together.
 */
final class TemplateGraph {

    private TemplateGraph() {}

    static List<String> problems(JsonNode steps) {
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> dependencies = new LinkedHashMap<>();
        Set<String> duplicates = new LinkedHashSet<>();
        for (JsonNode step : steps.isArray() ? steps : List.<JsonNode>of()) {
            JsonNode name = step.path("name");
            if (!name.isTextual()) {
                continue;
            }
            List<String> deps = new ArrayList<>();
            step.path("depends_on").forEach(d -> deps.add(d.isTextual() ? d.asText() : null));
            deps.removeIf(d -> d == null);
            if (dependencies.putIfAbsent(name.asText(), deps) != null) {
                duplicates.add(name.asText());
            }
        }
        for (String d : duplicates) {
            problems.add("duplicate step name '" + d + "'");
        }
        boolean unknown = false;
        for (Map.Entry<String, List<String>> e : dependencies.entrySet()) {
            for (String dep : new LinkedHashSet<>(e.getValue())) {
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
        return problems;
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

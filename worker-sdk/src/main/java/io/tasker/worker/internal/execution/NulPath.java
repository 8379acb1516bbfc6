package io.tasker.worker.internal.execution;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Finds a NUL character (which jsonb refuses) in a JSON document and names where it is. */
final class NulPath {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final int MAX_KEY_SHOWN = 64;

    private NulPath() {}

    private record Frame(JsonNode node, Frame parent, String key, int index) {
        String path() {
            StringBuilder out = new StringBuilder();
            for (Frame f = this; f.parent != null; f = f.parent) {
                out.insert(0, f.key == null ? "[" + f.index + "]" : member(f.key));
            }
            return out.insert(0, '$').toString();
        }
    }

    /**
     * Where the first NUL is, as a JSON path ("the string at $.a[0]" or "the key at $.a"), or null.
     * Iterative, so a deeply nested result cannot overflow the stack here.
     */
    static String find(JsonNode root) {
        Deque<Frame> pending = new ArrayDeque<>();
        pending.push(new Frame(root, null, null, -1));
        while (!pending.isEmpty()) {
            Frame f = pending.pop();
            JsonNode node = f.node();
            if (node.isTextual() && node.textValue().indexOf('\0') >= 0) {
                return "the string at " + f.path();
            }
            if (node.isObject()) {
                List<Frame> children = new ArrayList<>(node.size());
                Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    if (field.getKey().indexOf('\0') >= 0) {
                        return "a key of the object at " + f.path();
                    }
                    children.add(new Frame(field.getValue(), f, field.getKey(), -1));
                }
                for (int i = children.size() - 1; i >= 0; i--) {
                    pending.push(children.get(i));
                }
            } else if (node.isArray()) {
                for (int i = node.size() - 1; i >= 0; i--) {
                    pending.push(new Frame(node.get(i), f, null, i));
                }
            }
        }
        return null;
    }

    private static String member(String key) {
        if (IDENTIFIER.matcher(key).matches()) {
            return "." + key;
        }
        String shown = key.length() > MAX_KEY_SHOWN ? key.substring(0, MAX_KEY_SHOWN) + "…" : key;
        return "['" + shown.replace("\\", "\\\\").replace("'", "\\'") + "']";
    }
}

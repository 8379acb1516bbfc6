package io.tasker.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a violation of the template schema into one sentence that starts with the path of the
 * offending value ({@code steps[2].retry.max_attempts}). The failing subschema's {@code
 * errorMessage} or {@code patternErrorMessage}, which editors show too, replaces the generic rule;
 * a limit taken from the configuration names its key.
 */
final class SchemaProblems {

    private static final Set<String> CUSTOMISABLE = Set.of("type", "enum", "const", "pattern");

    private SchemaProblems() {}

    static String describe(ValidationMessage m, JsonNode schema, Map<String, String> limitKeys) {
        String keyword = m.getType();
        String keywordPointer = pointer(m.getSchemaLocation().getFragment());
        String subschemaPointer = keywordPointer.substring(0, keywordPointer.lastIndexOf('/'));
        JsonNode subschema = schema.at(subschemaPointer);
        String path = path(m.getInstanceLocation());
        if (keyword.equals("required")) {
            return join(path, m.getProperty()) + " is required";
        }
        if (keyword.equals("additionalProperties")) {
            return (path.isEmpty() ? "" : path + ": ") + "unknown field '" + m.getProperty() + "'";
        }
        JsonNode value = m.getInstanceNode();
        String subject = path.isEmpty() ? "the template" : path;
        if (value.isValueNode()) {
            subject += " " + (value.isTextual() ? "'" + shorten(value.asText()) + "'" : value);
        }
        String limitKey = limitKeys.getOrDefault(keywordPointer, limitKeys.get(subschemaPointer));
        return subject
                + " "
                + rule(keyword, subschema, value)
                + (limitKey == null ? "" : " (" + limitKey + ")");
    }

    private static String rule(String keyword, JsonNode subschema, JsonNode value) {
        // The editors' reading: errorMessage replaces the message of a type, enum or const
        // failure, and of a pattern failure unless patternErrorMessage is there.
        JsonNode custom =
                keyword.equals("pattern") && subschema.has("patternErrorMessage")
                        ? subschema.get("patternErrorMessage")
                        : subschema.path("errorMessage");
        if (CUSTOMISABLE.contains(keyword) && custom.isTextual()) {
            return custom.asText();
        }
        return switch (keyword) {
            case "type", "minimum", "maximum" -> typeRule(subschema);
            case "pattern" -> "must match " + subschema.get("pattern").asText();
            case "maxLength" ->
                    "is "
                            + value.asText().codePointCount(0, value.asText().length())
                            + " characters, at most "
                            + subschema.get("maxLength")
                            + " allowed";
            case "maxItems" ->
                    "has "
                            + value.size()
                            + " entries, at most "
                            + subschema.get("maxItems")
                            + " allowed";
            case "minItems" ->
                    subschema.get("minItems").asInt() == 1
                            ? "must be a non-empty list"
                            : "must have at least " + subschema.get("minItems") + " entries";
            case "uniqueItems" -> "lists " + firstRepeated(value) + " twice";
            case "enum" -> "must be one of " + choices(subschema.get("enum"));
            default -> "is not allowed here";
        };
    }

    /** What a value of the subschema's type and range is, e.g. "an integer between 1 and 100". */
    static String typeRule(JsonNode subschema) {
        List<String> kinds = new ArrayList<>();
        JsonNode type = subschema.path("type");
        for (JsonNode t : type.isArray() ? type : List.of(type)) {
            if (!t.asText().equals("null")) {
                kinds.add(t.asText());
            }
        }
        if (kinds.equals(List.of("integer")) && subschema.has("minimum")) {
            return "must be an integer between "
                    + subschema.get("minimum")
                    + " and "
                    + subschema.get("maximum");
        }
        List<String> described = new ArrayList<>();
        for (String kind : kinds) {
            described.add(
                    switch (kind) {
                        case "array" -> "a list";
                        case "boolean" -> "true or false";
                        case "integer", "object" -> "an " + kind;
                        default -> "a " + kind;
                    });
        }
        return "must be " + String.join(" or ", described);
    }

    private static String choices(JsonNode values) {
        Set<String> out = new TreeSet<>();
        values.forEach(v -> out.add(v.isNull() ? "null" : v.asText()));
        out.remove("null");
        return out.toString();
    }

    private static String firstRepeated(JsonNode array) {
        Set<JsonNode> seen = new HashSet<>();
        for (JsonNode item : array) {
            if (!seen.add(item)) {
                return item.isTextual() ? "'" + shorten(item.asText()) + "'" : item.toString();
            }
        }
        return "an entry";
    }

    /** The instance path as a reader writes it: {@code steps[0].retry}; empty for the root. */
    static String path(JsonNodePath location) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer index) {
                out.append('[').append(index).append(']');
            } else {
                out.append(out.length() == 0 ? "" : ".").append(element);
            }
        }
        return out.toString();
    }

    private static String join(String path, String property) {
        return path.isEmpty() ? property : path + "." + property;
    }

    /** The schema location fragment as a JSON pointer into the schema document. */
    private static String pointer(JsonNodePath fragment) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < fragment.getNameCount(); i++) {
            out.append('/').append(fragment.getName(i));
        }
        return out.toString();
    }

    static String shorten(String s) {
        return InputSchemas.shorten(s);
    }
}

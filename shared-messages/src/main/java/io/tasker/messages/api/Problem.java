package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An RFC 9457 problem document ({@code application/problem+json}), the body of every error: the
 * standard members, a stable machine-readable {@code code}, whether the same request may succeed
 * later, every individual problem in {@code errors} (left out when there are none), and extension
 * members such as {@code existing_task_uuid}, {@code named_task_uuid}, {@code json_path} or {@code
 * max_body_bytes}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@Schema(
        description =
                "RFC 9457 problem details (application/problem+json) with a stable `code`, whether"
                        + " retrying may succeed, every problem in `errors`, and extension members"
                        + " such as `existing_task_uuid`, `named_task_uuid`, `json_path`,"
                        + " `max_body_bytes`.",
        additionalProperties = Schema.True.class,
        requiredProperties = {"type", "title", "status", "detail", "instance", "code", "retryable"})
@JsonPropertyOrder({"type", "title", "status", "detail", "instance", "code", "retryable", "errors"})
public record Problem(
        @JsonProperty("type") String type,
        @JsonProperty("title") String title,
        @JsonProperty("status") int status,
        @JsonProperty("detail") String detail,
        @JsonProperty("instance") String instance,
        @JsonProperty("code") String code,
        @JsonProperty("retryable") boolean retryable,
        @JsonProperty("errors") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> errors,
        @JsonIgnore Map<String, JsonNode> extensions) {

    /** The URI prefix of every problem type; the code with dashes follows. */
    public static final String TYPE_PREFIX = "https://tasker.dev/problems/";

    private static final Set<String> MEMBERS =
            Set.of("type", "title", "status", "detail", "instance", "code", "retryable", "errors");

    public Problem {
        errors = errors == null ? List.of() : List.copyOf(errors);
        extensions =
                extensions == null
                        ? Map.of()
                        : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
    }

    /** The type URI of a code: {@code task_not_found} is {@code .../problems/task-not-found}. */
    public static String typeOf(String code) {
        return TYPE_PREFIX + code.replace('_', '-');
    }

    /** The extension members, written beside the standard ones. */
    @JsonAnyGetter
    public Map<String, JsonNode> extensionMembers() {
        return extensions;
    }

    /** An extension member, or null. */
    public JsonNode extension(String name) {
        return extensions.get(name);
    }

    /** Reads a problem document; every member that is not a standard one is an extension. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Problem fromJson(ObjectNode json) {
        List<String> errors = new ArrayList<>();
        json.path("errors").forEach(e -> errors.add(e.asText()));
        Map<String, JsonNode> extensions = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            if (!MEMBERS.contains(member.getKey())) {
                extensions.put(member.getKey(), member.getValue());
            }
        }
        return new Problem(
                text(json, "type"),
                text(json, "title"),
                json.path("status").asInt(),
                text(json, "detail"),
                text(json, "instance"),
                text(json, "code"),
                json.path("retryable").asBoolean(false),
                errors,
                extensions);
    }

    private static String text(ObjectNode json, String member) {
        JsonNode value = json.get(member);
        return value == null || value.isNull() ? null : value.asText();
    }
}

package io.tasker.messages.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.JsonSupport;
import java.util.UUID;

/**
 * The one place protocol JSON is read and written, with {@link JsonSupport#MAPPER} (exact numbers).
 * Readers are tolerant: unknown fields are ignored and absent ones read as null (or 0), so a
 * message from the release before or after this one reads as long as its format is supported.
 */
public final class ProtocolCodec {

    private ProtocolCodec() {}

    /** A queue message as read: the record, a format this code does not know, or unreadable. */
    public sealed interface Decoded<T> {

        /** The message read into its record. */
        record Read<T>(T message) implements Decoded<T> {}

        /** The message's {@code format_version} is newer than {@link MessageFormat#CURRENT}. */
        record Unsupported<T>(int version) implements Decoded<T> {}

        /**
         * The message cannot be read; {@code reason} says why. {@code namesNoStep} when it does not
         * name a valid {@code step_uuid} (so no step can be failed because of it).
         */
        record Malformed<T>(String reason, boolean namesNoStep) implements Decoded<T> {}
    }

    /** Reads a queue message (a JSON object carrying {@code step_uuid}) into {@code type}. */
    public static <T extends VersionedMessage> Decoded<T> decodeMessage(
            String json, Class<T> type) {
        JsonNode tree;
        try {
            tree = json == null ? null : JsonSupport.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return new Decoded.Malformed<>("message is not JSON: " + e.getOriginalMessage(), true);
        }
        return decodeMessage(tree, type);
    }

    /** Reads a queue message already parsed into a tree. */
    public static <T extends VersionedMessage> Decoded<T> decodeMessage(
            JsonNode tree, Class<T> type) {
        if (tree == null || !tree.isObject()) {
            return new Decoded.Malformed<>("message is not a JSON object", true);
        }
        JsonNode version = tree.get(MessageFormat.FIELD);
        if (version != null && !version.isNull()) {
            if (!version.isIntegralNumber() || !version.canConvertToInt()) {
                return new Decoded.Malformed<>(
                        "message has an invalid " + MessageFormat.FIELD + ": " + version,
                        !namesStep(tree));
            }
            if (version.intValue() > MessageFormat.CURRENT) {
                return new Decoded.Unsupported<>(version.intValue());
            }
        }
        try {
            return new Decoded.Read<>(JsonSupport.MAPPER.treeToValue(tree, type));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String detail =
                    e instanceof JsonProcessingException j
                            ? j.getOriginalMessage()
                            : e.getMessage();
            return new Decoded.Malformed<>("message cannot be read: " + detail, !namesStep(tree));
        }
    }

    /** Reads a claim answer of {@code tasker.claim_step}. */
    public static StepClaim decodeClaim(String json) {
        return read(json, StepClaim.class);
    }

    /** Reads any protocol record from its JSON text; a malformed text is an error. */
    public static <T> T read(String json, Class<T> type) {
        try {
            return JsonSupport.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot read " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** The JSON text of a protocol record (or of a free-form value such as a step's result). */
    public static String write(Object value) {
        try {
            return JsonSupport.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The JSON tree of a protocol record. */
    public static JsonNode tree(Object value) {
        return JsonSupport.MAPPER.valueToTree(value);
    }

    private static boolean namesStep(JsonNode tree) {
        JsonNode step = tree.get("step_uuid");
        if (step == null || !step.isTextual()) {
            return false;
        }
        try {
            UUID.fromString(step.asText());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

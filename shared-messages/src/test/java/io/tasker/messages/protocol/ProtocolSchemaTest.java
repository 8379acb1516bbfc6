package io.tasker.messages.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.WireValue;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The protocol's JSON Schemas and its records say the same thing: the same property names, {@code
 * required} exactly for the components not marked {@link Nullable}, and a matching JSON type per
 * property. The schemas in docs/protocol are copies of the ones shipped in the jar.
 */
class ProtocolSchemaTest {

    static final String RESOURCES = "/io/tasker/messages/protocol/";

    /** A record and where its schema is: a file, and a JSON pointer into it. */
    record Pair(Class<? extends Record> type, String file, String pointer) {
        @Override
        public String toString() {
            return type.getSimpleName() + " ~ " + file + pointer;
        }
    }

    static List<Pair> pairs() {
        return List.of(
                new Pair(StepMessage.class, "step-message.schema.json", ""),
                new Pair(StepClaim.class, "step-claim.schema.json", ""),
                new Pair(StepContext.class, "step-context.schema.json", ""),
                new Pair(StepResult.class, "step-result.schema.json", ""),
                new Pair(StepError.class, "step-result.schema.json", "/$defs/error"),
                new Pair(ResultNotice.class, "result-notice.schema.json", ""));
    }

    static List<String> schemaFiles() {
        return List.of(
                "step-message.schema.json",
                "step-message.v0.schema.json",
                "step-claim.schema.json",
                "step-context.schema.json",
                "step-result.schema.json",
                "result-notice.schema.json",
                "result-notice.v0.schema.json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void the_schema_names_exactly_the_record_s_json_properties(Pair pair) {
        JsonNode schema = schemaOf(pair);
        Set<String> properties = new TreeSet<>();
        schema.path("properties").fieldNames().forEachRemaining(properties::add);
        assertThat(properties).isEqualTo(new TreeSet<>(jsonNames(pair.type())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void required_properties_are_the_components_not_marked_nullable(Pair pair) {
        JsonNode schema = schemaOf(pair);
        Set<String> required = new TreeSet<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        Set<String> nonNull =
                Arrays.stream(pair.type().getRecordComponents())
                        .filter(c -> !c.isAnnotationPresent(Nullable.class))
                        .map(ProtocolSchemaTest::jsonName)
                        .collect(Collectors.toCollection(TreeSet::new));
        assertThat(required).isEqualTo(nonNull);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void every_property_has_the_json_type_of_its_component(Pair pair) {
        JsonNode root = schema(pair.file());
        JsonNode schema = schemaOf(pair);
        List<String> wrong = new ArrayList<>();
        for (RecordComponent c : pair.type().getRecordComponents()) {
            JsonNode property = resolve(root, schema.path("properties").path(jsonName(c)));
            String expected = expectedType(c.getGenericType());
            String actual = describe(property);
            if (!expected.equals(actual)) {
                wrong.add(jsonName(c) + ": record says " + expected + ", schema says " + actual);
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void format_1_only_adds_to_format_0() {
        for (String name : List.of("step-message", "result-notice")) {
            JsonNode v0 = schema(name + ".v0.schema.json");
            JsonNode v1 = schema(name + ".schema.json");
            v0.path("properties")
                    .fields()
                    .forEachRemaining(
                            e ->
                                    assertThat(describe(v1.path("properties").path(e.getKey())))
                                            .as(name + " " + e.getKey())
                                            .isEqualTo(describe(e.getValue())));
            Set<String> required1 = new LinkedHashSet<>();
            v1.path("required").forEach(r -> required1.add(r.asText()));
            v0.path("required").forEach(r -> assertThat(required1).contains(r.asText()));
            assertThat(required1).contains(MessageFormat.FIELD);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemaFiles")
    void the_documented_schema_is_the_shipped_one(String file) throws IOException {
        Path docs = Path.of("..", "docs", "protocol", file);
        assertThat(docs).exists();
        assertThat(Files.readString(docs, StandardCharsets.UTF_8)).isEqualTo(text(file));
    }

    @Test
    void records_written_by_the_codec_validate_against_their_schemas() {
        UUID task = UUID.randomUUID();
        UUID step = UUID.randomUUID();
        UUID correlation = UUID.randomUUID();
        JsonNode ctx = JsonSupport.parse("{\"order_id\": 42}");
        assertValid(
                "step-message.schema.json",
                new StepMessage(
                        MessageFormat.CURRENT,
                        task,
                        step,
                        correlation,
                        "ns",
                        "s",
                        1,
                        "2026-12-02T10:00:00.000000Z"));
        assertValid(
                "result-notice.schema.json",
                new ResultNotice(
                        MessageFormat.CURRENT,
                        task,
                        step,
                        2,
                        NoticeOutcome.FAILURE,
                        "ns",
                        "s",
                        correlation));
        assertValid(
                "step-context.schema.json",
                new StepContext(
                        task,
                        step,
                        correlation,
                        "ns",
                        "t",
                        "1.0.0",
                        ctx,
                        "s",
                        JsonSupport.object(),
                        JsonSupport.object(),
                        1,
                        3,
                        List.of("a"),
                        Map.of("a", ctx),
                        "2026-12-02T10:00:30Z"));
        assertValid("step-result.schema.json", StepResult.success(ctx));
        assertValid(
                "step-result.schema.json",
                StepResult.failure(
                        StepOutcome.RETRYABLE_FAILURE, new StepError("boom", "io", "h", 3000L)));
        assertThat(
                        validate(
                                "step-result.schema.json",
                                ProtocolCodec.tree(
                                        new StepResult(StepOutcome.PERMANENT_FAILURE, null, null))))
                .as("a failure without its error")
                .isNotEmpty();
    }

    @Test
    void a_message_without_format_version_reads_as_format_0_and_a_newer_one_is_not_read() {
        String v0 =
                "{\"task_uuid\": \"%s\", \"step_uuid\": \"%s\", \"attempt\": 1, \"extra\": true}"
                        .formatted(UUID.randomUUID(), UUID.randomUUID());
        ProtocolCodec.Decoded<StepMessage> read =
                ProtocolCodec.decodeMessage(v0, StepMessage.class);
        assertThat(read).isInstanceOf(ProtocolCodec.Decoded.Read.class);
        assertThat(((ProtocolCodec.Decoded.Read<StepMessage>) read).message().formatVersion())
                .isEqualTo(MessageFormat.UNVERSIONED);

        ProtocolCodec.Decoded<ResultNotice> newer =
                ProtocolCodec.decodeMessage(
                        "{\"format_version\": 99, \"step_uuid\": \"%s\", \"outcome\": \"later\"}"
                                .formatted(UUID.randomUUID()),
                        ResultNotice.class);
        assertThat(newer).isEqualTo(new ProtocolCodec.Decoded.Unsupported<ResultNotice>(99));

        assertThat(ProtocolCodec.decodeMessage("{\"garbage\": true}", StepMessage.class))
                .isInstanceOfSatisfying(
                        ProtocolCodec.Decoded.Read.class,
                        r -> assertThat(((StepMessage) r.message()).stepUuid()).isNull());
        assertThat(ProtocolCodec.decodeMessage("{\"step_uuid\": \"nope\"}", StepMessage.class))
                .isInstanceOfSatisfying(
                        ProtocolCodec.Decoded.Malformed.class,
                        m -> assertThat(m.namesNoStep()).isTrue());
        String badAttempt =
                "{\"step_uuid\": \"%s\", \"attempt\": \"x\"}".formatted(UUID.randomUUID());
        assertThat(ProtocolCodec.decodeMessage(badAttempt, StepMessage.class))
                .isInstanceOfSatisfying(
                        ProtocolCodec.Decoded.Malformed.class,
                        m -> {
                            assertThat(m.namesNoStep()).isFalse();
                            assertThat(m.reason()).contains("cannot be read");
                        });
    }

    // --- the rule ------------------------------------------------------------------------------

    /** The JSON type a component's Java type is written as. */
    private static String expectedType(Type type) {
        Class<?> raw =
                type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (raw == UUID.class) {
            return "string/uuid";
        }
        if (raw == String.class) {
            return "string";
        }
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            return "integer";
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return "boolean";
        }
        if (raw == JsonNode.class) {
            return "any";
        }
        if (List.class.isAssignableFrom(raw)) {
            return "array";
        }
        if (Map.class.isAssignableFrom(raw) || raw.isRecord()) {
            return "object";
        }
        if (raw.isEnum() && WireValue.class.isAssignableFrom(raw)) {
            return "enum"
                    + Arrays.stream(raw.getEnumConstants())
                            .map(e -> ((WireValue) e).wire())
                            .toList();
        }
        throw new AssertionError("no JSON type rule for " + type);
    }

    /** The same description read from a property's schema. */
    private static String describe(JsonNode property) {
        if (property.has("enum")) {
            List<String> values = new ArrayList<>();
            property.get("enum").forEach(v -> values.add(v.asText()));
            return "enum" + values;
        }
        if (!property.has("type")) {
            return "any";
        }
        String type = property.get("type").asText();
        if ("string".equals(type) && "uuid".equals(property.path("format").asText())) {
            return "string/uuid";
        }
        return type;
    }

    private static JsonNode resolve(JsonNode root, JsonNode property) {
        String ref = property.path("$ref").asText("");
        return ref.startsWith("#") ? root.at(ref.substring(1)) : property;
    }

    private static List<String> jsonNames(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(ProtocolSchemaTest::jsonName).toList();
    }

    private static String jsonName(RecordComponent c) {
        JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
        if (p == null) {
            throw new AssertionError(
                    c.getDeclaringRecord().getSimpleName()
                            + "."
                            + c.getName()
                            + " has no @JsonProperty");
        }
        return p.value();
    }

    // --- schemas -------------------------------------------------------------------------------

    static String text(String file) {
        try (InputStream in = ProtocolSchemaTest.class.getResourceAsStream(RESOURCES + file)) {
            assertThat(in).as("resource " + file).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode schema(String file) {
        return JsonSupport.parse(text(file));
    }

    private static JsonNode schemaOf(Pair pair) {
        JsonNode node = schema(pair.file()).at(pair.pointer());
        assertThat(node.isMissingNode()).as(pair.toString()).isFalse();
        return node;
    }

    static List<String> validate(String file, JsonNode instance) {
        JsonSchema schema =
                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                        .getSchema(
                                schema(file),
                                SchemaValidatorsConfig.builder()
                                        .formatAssertionsEnabled(true)
                                        .build());
        return schema.validate(instance).stream().map(Object::toString).toList();
    }

    private static void assertValid(String file, Object record) {
        JsonNode tree = ProtocolCodec.tree(record);
        assertThat(validate(file, tree)).as(file + ": " + tree).isEmpty();
    }
}

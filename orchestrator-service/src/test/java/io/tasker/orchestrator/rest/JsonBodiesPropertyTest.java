package io.tasker.orchestrator.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The body checker on random documents: it always ends, and it finds exactly what breaks a limit.
 */
class JsonBodiesPropertyTest {

    static final int DIGITS = 40;
    // Strings are generated up to 30 characters: 31 leaves room for a planted NUL.
    static final JsonBodies CHECKER =
            new JsonBodies(new JsonBodies.Limits(100_000, 6, 300, 31, DIGITS));
    static final JsonNodeFactory NODES = JsonSupport.MAPPER.getNodeFactory();

    @Property(tries = 300)
    void a_document_within_every_limit_has_no_problem_and_a_cheap_canonical_form(
            @ForAll("tamedDocuments") JsonNode document) {
        assertThat(CHECKER.problems(document)).isEmpty();
        // Every accepted value writes out in bounded space: the identity hash stays cheap.
        assertThat(JsonSupport.canonical(document).length())
                .isLessThanOrEqualTo(300 * (2 * DIGITS + 2 + 2 * 30 + 8));
    }

    @Property(tries = 300)
    void a_nul_character_is_reported_at_the_path_where_it_was_put(
            @ForAll("tamedDocuments") JsonNode document,
            @ForAll @IntRange(min = 0, max = 1000) int where) {
        ObjectNode root = NODES.objectNode();
        root.set("context", document);
        String path = plantNul(root, where);
        List<JsonBodies.Problem> problems = CHECKER.problems(root);
        assertThat(problems).extracting(JsonBodies.Problem::code).containsExactly("nul_character");
        assertThat(problems.get(0).path()).isEqualTo(path);
    }

    @Property(tries = 500)
    void a_number_is_refused_exactly_when_written_out_it_has_too_many_digits(
            @ForAll("unscaled") BigInteger unscaled,
            @ForAll @IntRange(min = -1_000_000_000, max = 1_000_000_000) int scale) {
        BigDecimal value = new BigDecimal(unscaled, scale);
        ObjectNode doc = NODES.objectNode();
        doc.set("n", NODES.numberNode(value));
        // Independent oracle: the digits of the plain form, spelled out by hand (only when that is
        // small enough to do).
        boolean fits;
        String digits = unscaled.abs().toString();
        if (Math.abs((long) scale) > 10L * DIGITS) {
            // Far beyond the limit either way (the unscaled part has at most 60 digits).
            fits = false;
        } else if (scale <= 0) {
            fits = digits.length() - scale <= DIGITS;
        } else {
            int before = Math.max(1, digits.length() - scale);
            fits = before <= DIGITS && scale <= DIGITS;
        }
        List<JsonBodies.Problem> problems = CHECKER.problems(doc);
        if (fits) {
            assertThat(problems).isEmpty();
        } else {
            assertThat(problems)
                    .extracting(JsonBodies.Problem::code, JsonBodies.Problem::path)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("number_out_of_range", "$.n"));
        }
    }

    @Property(tries = 200)
    void random_text_is_either_parsed_and_checked_or_refused_as_a_400(
            @ForAll("jsonish") String body) {
        try {
            JsonNode parsed = CHECKER.parse(body);
            assertThat(CHECKER.problems(parsed)).isEmpty();
        } catch (ApiException e) {
            assertThat(e.status()).isIn(400, 413);
            assertThat(e.code()).isNotBlank();
            // Parser messages are passed on without the Java names they quote.
            assertThat(e.getMessage())
                    .doesNotContain(
                            "com.fasterxml", "StreamReadConstraints", "DeserializationFeature");
        }
    }

    @Example
    void a_body_one_byte_over_the_limit_is_a_413() {
        JsonBodies small = new JsonBodies(new JsonBodies.Limits(10, 6, 300, 30, DIGITS));
        assertThat(small.parse("[1,2,3,44]")).hasSize(4);
        assertThatThrownBy(() -> small.parse("[1,2,3,444]"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(413));
        // Multi-byte characters count as their UTF-8 bytes.
        assertThatThrownBy(() -> small.parse("[\"ééééé\"]"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(413));
    }

    @Provide
    Arbitrary<JsonNode> tamedDocuments() {
        return value(4).map(JsonNode.class::cast);
    }

    @Provide
    Arbitrary<BigInteger> unscaled() {
        return Arbitraries.oneOf(
                Arbitraries.bigIntegers()
                        .between(BigInteger.valueOf(-1000), BigInteger.valueOf(1000)),
                Arbitraries.strings()
                        .numeric()
                        .ofMinLength(1)
                        .ofMaxLength(60)
                        .map(BigInteger::new));
    }

    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> valid = value(4).map(JsonSupport::write);
        Arbitrary<String> mutated =
                Arbitraries.of(
                        "{",
                        "}",
                        "[",
                        "]",
                        "\"",
                        ",",
                        ":",
                        "\\u0000",
                        "1e999999999",
                        "-",
                        "\\",
                        " ",
                        "null",
                        "nul",
                        "\u0000",
                        "é",
                        "1" + "0".repeat(200));
        return Arbitraries.oneOf(
                valid,
                Arbitraries.strings().ofMaxLength(50),
                valid.flatMap(
                        v ->
                                mutated.flatMap(
                                        m ->
                                                Arbitraries.integers()
                                                        .between(0, v.length())
                                                        .map(
                                                                i ->
                                                                        v.substring(0, i)
                                                                                + m
                                                                                + v.substring(
                                                                                        i)))));
    }

    private static Arbitrary<JsonNode> value(int depth) {
        Arbitrary<JsonNode> scalar =
                Arbitraries.oneOf(
                        Arbitraries.strings()
                                .withCharRange(' ', '~')
                                .withChars('é', '€', '\n')
                                .ofMaxLength(30)
                                .map(NODES::textNode),
                        Arbitraries.bigIntegers()
                                .between(
                                        BigInteger.valueOf(-1_000_000),
                                        BigInteger.valueOf(1_000_000))
                                .map(NODES::numberNode),
                        Arbitraries.bigDecimals()
                                .between(BigDecimal.valueOf(-1e6), BigDecimal.valueOf(1e6))
                                .ofScale(3)
                                .map(NODES::numberNode),
                        Arbitraries.of(true, false).map(NODES::booleanNode),
                        Arbitraries.just(NODES.nullNode()));
        return JsonTrees.trees(
                scalar, Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8), depth, 3);
    }

    /**
     * Puts a NUL into one string value or key (the where-th met, modulo their number; into a new
     * key when there is none) and returns the JSON path the checker must name.
     */
    private static String plantNul(ObjectNode root, int where) {
        List<Runnable> planters = new java.util.ArrayList<>();
        List<String> paths = new java.util.ArrayList<>();
        collect(root, "$", planters, paths);
        int i = where % planters.size();
        planters.get(i).run();
        return paths.get(i);
    }

    private static void collect(
            JsonNode node, String path, List<Runnable> planters, List<String> paths) {
        if (node instanceof ObjectNode o) {
            List<String> keys = new java.util.ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            if (paths.isEmpty() && keys.isEmpty()) {
                planters.add(() -> o.put("k\u0000", 1));
                paths.add(path + JsonBodies.segment("k\u0000"));
            }
            for (String k : keys) {
                String childPath = path + JsonBodies.segment(k);
                planters.add(
                        () -> {
                            JsonNode v = o.remove(k);
                            o.set(k + "\u0000", v);
                        });
                paths.add(path + JsonBodies.segment(k + "\u0000"));
                JsonNode v = o.get(k);
                if (v.isTextual()) {
                    planters.add(() -> o.put(k, v.textValue() + "\u0000"));
                    paths.add(childPath);
                }
                collect(v, childPath, planters, paths);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                int at = i;
                JsonNode v = a.get(i);
                if (v.isTextual()) {
                    planters.add(() -> a.set(at, NODES.textNode("\u0000" + v.textValue())));
                    paths.add(path + "[" + i + "]");
                }
                collect(v, path + "[" + i + "]", planters, paths);
            }
        }
    }
}

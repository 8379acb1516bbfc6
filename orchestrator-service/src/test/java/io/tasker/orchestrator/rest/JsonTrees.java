package io.tasker.orchestrator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/** Random JSON trees for property tests: the scalars and keys are the caller's. */
public final class JsonTrees {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTrees() {}

    /**
     * Trees at most {@code depth} levels deep, of arrays and objects with up to 3 children; a
     * scalar is {@code scalarWeight} times as likely as an array or an object.
     */
    public static Arbitrary<JsonNode> trees(
            Arbitrary<JsonNode> scalar, Arbitrary<String> keys, int depth, int scalarWeight) {
        if (depth <= 1) {
            return scalar;
        }
        Arbitrary<JsonNode> child =
                Arbitraries.lazy(() -> trees(scalar, keys, depth - 1, scalarWeight));
        Arbitrary<JsonNode> array =
                child.list()
                        .ofMaxSize(3)
                        .map(
                                l -> {
                                    ArrayNode a = NODES.arrayNode();
                                    l.forEach(a::add);
                                    return a;
                                });
        Arbitrary<JsonNode> object =
                Arbitraries.maps(keys, child)
                        .ofMaxSize(3)
                        .map(
                                m -> {
                                    ObjectNode o = NODES.objectNode();
                                    m.forEach(o::set);
                                    return o;
                                });
        return Arbitraries.frequencyOf(
                Tuple.of(scalarWeight, scalar), Tuple.of(1, array), Tuple.of(1, object));
    }
}

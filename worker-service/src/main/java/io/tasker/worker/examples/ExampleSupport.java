package io.tasker.worker.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.PermanentStepException;
import java.math.BigDecimal;
import java.math.BigInteger;

/** Reading the example handlers' inputs: config values and integers carried as JSON. */
final class ExampleSupport {

    private ExampleSupport() {}

    /** The step's config as an object; a missing or null config is an empty object. */
    static ObjectNode config(JsonNode config) {
        return config != null && config.isObject() ? (ObjectNode) config : JsonSupport.object();
    }

    /** A config field that must be a whole number within [min, max], or the fallback if absent. */
    static long configLong(JsonNode config, String field, long fallback, long min, long max) {
        JsonNode v = config == null ? null : config.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return fallback;
        }
        BigInteger n = integer(v);
        if (n == null
                || n.compareTo(BigInteger.valueOf(min)) < 0
                || n.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new PermanentStepException(
                    "config."
                            + field
                            + " must be an integer between "
                            + min
                            + " and "
                            + max
                            + ", got "
                            + v,
                    "invalid_config");
        }
        return n.longValueExact();
    }

    /** A config field that must be a string, or the fallback if absent. */
    static String configText(JsonNode config, String field, String fallback) {
        JsonNode v = config == null ? null : config.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new PermanentStepException(
                    "config." + field + " must be a string, got " + v, "invalid_config");
        }
        return v.asText();
    }

    /**
     * The whole number a node holds: an integral JSON number, a decimal number with no fractional
     * part, or a string holding a decimal integer. Null for anything else.
     */
    static BigInteger integer(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue();
        }
        if (v.isNumber()) {
            if (v.isDouble() || v.isFloat()) {
                double d = v.doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    return null;
                }
            }
            return wholeOrNull(v.decimalValue());
        }
        if (v.isTextual()) {
            String s = v.asText().trim();
            if (!s.matches("[+-]?[0-9]+")) {
                return null;
            }
            return new BigInteger(s);
        }
        return null;
    }

    private static BigInteger wholeOrNull(BigDecimal d) {
        try {
            return d.toBigIntegerExact();
        } catch (ArithmeticException fractional) {
            return null;
        }
    }
}

package io.tasker.worker.fulfillment;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;

/** Reading numbers from order JSON, where a client may send a number or a decimal string. */
final class JsonNumbers {

    private JsonNumbers() {}

    /** A whole JSON number (or a number with a zero fraction); null for anything else. */
    static BigInteger integer(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue();
        }
        BigDecimal d = decimal(v);
        if (d == null || !v.isNumber()) {
            return null;
        }
        try {
            return d.toBigIntegerExact();
        } catch (ArithmeticException fractional) {
            return null;
        }
    }

    /** A JSON number or a string holding a plain decimal; null for anything else. */
    static BigDecimal decimal(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isNumber()) {
            if ((v.isDouble() || v.isFloat())
                    && (Double.isNaN(v.doubleValue()) || Double.isInfinite(v.doubleValue()))) {
                return null;
            }
            return v.decimalValue();
        }
        if (v.isTextual() && v.asText().trim().matches("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)")) {
            return new BigDecimal(v.asText().trim());
        }
        return null;
    }

    static String show(JsonNode v) {
        return v == null ? "nothing" : v.toString();
    }
}

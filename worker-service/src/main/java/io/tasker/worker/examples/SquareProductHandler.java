package io.tasker.worker.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.handler.CheckedInputHandler;
import io.tasker.worker.handler.InvalidInputException;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigInteger;

/**
 * {@code examples.square_product}: the square of the product of the direct parents' results, or,
 * for a root step, the square of the context's {@code even_number}. Exact at any size; the result
 * is a bare JSON number.
 */
@ApplicationScoped
public class SquareProductHandler extends CheckedInputHandler {

    public static final String NAME = "examples.square_product";

    public SquareProductHandler() {
        super(NAME);
    }

    @Override
    protected StepResult run(StepContext ctx) throws InvalidInputException {
        BigInteger base;
        if (ctx.parents().isEmpty()) {
            JsonNode context = ctx.context();
            JsonNode n = context == null ? null : context.get("even_number");
            if (n == null || n.isNull() || !n.isNumber()) {
                throw new InvalidInputException(
                        "the context's even_number must be an integer, got "
                                + (n == null ? "nothing" : n.toString()),
                        "invalid_input");
            }
            base = ExampleSupport.integer(n);
            if (base == null) {
                throw new InvalidInputException(
                        "the context's even_number must be an integer, got " + n, "invalid_input");
            }
        } else {
            base = BigInteger.ONE;
            for (String parent : ctx.parents()) {
                JsonNode r = ctx.dependencyResult(parent);
                if (r == null || r.isNull() || r.isMissingNode()) {
                    throw new InvalidInputException(
                            "no result for parent step '" + parent + "'", "invalid_input");
                }
                BigInteger value = ExampleSupport.integer(r);
                if (value == null) {
                    throw new InvalidInputException(
                            "the result of parent step '"
                                    + parent
                                    + "' must be an integer (number or decimal string), got "
                                    + abbreviate(r.toString()),
                            "invalid_input");
                }
                base = base.multiply(value);
            }
        }
        return StepResult.success(JsonSupport.MAPPER.getNodeFactory().numberNode(base.pow(2)));
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}

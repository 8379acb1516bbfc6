package io.tasker.worker.fulfillment;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.PermanentStepException;
import io.tasker.worker.StepContext;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The order the fulfillment handlers share: parsed from the task context, with every problem thrown
 * as an {@link PermanentStepException} (a permanent failure), and the money arithmetic (USD, 2
 * decimals, HALF_UP).
 */
final class Orders {

    static final String VALIDATE_ORDER = "validate_order";
    static final String RESERVE_INVENTORY = "reserve_inventory";
    static final String PROCESS_PAYMENT = "process_payment";
    static final String CURRENCY = "USD";
    static final BigDecimal TAX_RATE = new BigDecimal("0.08");
    static final String DECLINED_TOKEN = "tok_declined";

    private Orders() {}

    record Item(String sku, long quantity, BigDecimal price) {}

    record Order(
            long orderId,
            String customerId,
            String customerEmail,
            List<Item> items,
            String paymentMethod,
            String paymentToken,
            String shippingMethod,
            JsonNode shippingAddress) {}

    /** The order in a task context; every field of the order schema is checked. */
    static Order parse(JsonNode context) {
        if (context == null || !context.isObject()) {
            throw invalid("the context must be an object");
        }
        BigInteger id = JsonNumbers.integer(context.get("order_id"));
        if (id == null || id.signum() < 0 || id.bitLength() > 63) {
            throw invalid(
                    "order_id must be a non-negative integer, got "
                            + JsonNumbers.show(context.get("order_id")));
        }
        JsonNode customer = object(context, "customer");
        String customerId = text(customer, "id", "customer.id");
        String email = text(customer, "email", "customer.email");

        JsonNode itemsNode = context.get("items");
        if (itemsNode == null || !itemsNode.isArray() || itemsNode.isEmpty()) {
            throw invalid("items must be a non-empty list");
        }
        List<Item> items = new ArrayList<>(itemsNode.size());
        for (int i = 0; i < itemsNode.size(); i++) {
            JsonNode item = itemsNode.get(i);
            String where = "items[" + i + "]";
            if (!item.isObject()) {
                throw invalid(where + " must be an object");
            }
            String sku = text(item, "sku", where + ".sku");
            BigInteger quantity = JsonNumbers.integer(item.get("quantity"));
            if (quantity == null || quantity.signum() <= 0 || quantity.bitLength() > 31) {
                throw invalid(
                        where
                                + ".quantity must be an integer of at least 1, got "
                                + JsonNumbers.show(item.get("quantity")));
            }
            BigDecimal price = JsonNumbers.decimal(item.get("price"));
            if (price == null || price.signum() < 0) {
                throw invalid(
                        where
                                + ".price must be a number of at least 0, got "
                                + JsonNumbers.show(item.get("price")));
            }
            items.add(new Item(sku, quantity.longValue(), price));
        }

        JsonNode payment = object(context, "payment");
        String method = text(payment, "method", "payment.method");
        String token = text(payment, "token", "payment.token");

        JsonNode shipping = object(context, "shipping");
        String shippingMethod = text(shipping, "method", "shipping.method");
        JsonNode address = shipping.get("address");
        if (address == null || !address.isObject()) {
            throw invalid("shipping.address must be an object");
        }
        return new Order(
                id.longValue(),
                customerId,
                email,
                List.copyOf(items),
                method,
                token,
                shippingMethod,
                address);
    }

    /** Sum of price × quantity, rounded to cents. */
    static BigDecimal subtotal(List<Item> items) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Item item : items) {
            sum = sum.add(item.price().multiply(BigDecimal.valueOf(item.quantity())));
        }
        return cents(sum);
    }

    static BigDecimal tax(BigDecimal subtotal) {
        return cents(subtotal.multiply(TAX_RATE));
    }

    static BigDecimal cents(BigDecimal amount) {
        return amount.setScale(2, RoundingMode.HALF_UP);
    }

    /** The result of an ancestor step, which must be an object. */
    static JsonNode dependency(StepContext ctx, String step) {
        JsonNode r = ctx.dependencyResult(step);
        if (r == null || !r.isObject()) {
            throw new PermanentStepException(
                    "the result of step '" + step + "' is missing or not an object",
                    "missing_dependency_result");
        }
        return r;
    }

    /** An amount in an ancestor's result (number or decimal string), to the cent. */
    static BigDecimal amount(JsonNode result, String field, String step) {
        BigDecimal v = JsonNumbers.decimal(result.get(field));
        if (v == null) {
            throw new PermanentStepException(
                    "the result of step '" + step + "' has no numeric " + field,
                    "missing_dependency_result");
        }
        return cents(v);
    }

    /** A string in an ancestor's result. */
    static String resultText(JsonNode result, String field, String step) {
        JsonNode v = result.get(field);
        if (v == null || !v.isTextual()) {
            throw new PermanentStepException(
                    "the result of step '" + step + "' has no " + field,
                    "missing_dependency_result");
        }
        return v.asText();
    }

    private static PermanentStepException invalid(String reason) {
        return new PermanentStepException("invalid order: " + reason, "invalid_order");
    }

    private static JsonNode object(JsonNode parent, String field) {
        JsonNode v = parent.get(field);
        if (v == null || !v.isObject()) {
            throw invalid(field + " must be an object");
        }
        return v;
    }

    private static String text(JsonNode parent, String field, String label) {
        JsonNode v = parent.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw invalid(label + " must be a non-empty string");
        }
        return v.asText();
    }
}

package io.tasker.worker.fulfillment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.PermanentStepException;
import io.tasker.worker.StepContext;
import io.tasker.worker.StepHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * The order fulfillment handlers (template {@code fulfillment/process_order}): validate and price
 * the order, reserve its items, charge it, ship it. Every step reads the order from the task's
 * context; a problem with it is a {@link PermanentStepException}.
 */
@ApplicationScoped
@RegisterForReflection(methods = true)
public class Fulfillment {

    public static final String VALIDATE_ORDER = "fulfillment.validate_order";
    public static final String RESERVE_INVENTORY = "fulfillment.reserve_inventory";
    public static final String PROCESS_PAYMENT = "fulfillment.process_payment";
    public static final String SHIP_ORDER = "fulfillment.ship_order";

    /** Checks the order and prices it: subtotal, 8% tax (HALF_UP) and total, in USD to the cent. */
    @StepHandler(VALIDATE_ORDER)
    public ObjectNode validateOrder(JsonNode context) {
        Orders.Order order = Orders.parse(context);
        BigDecimal subtotal = Orders.subtotal(order.items());
        BigDecimal tax = Orders.tax(subtotal);
        BigDecimal total = subtotal.add(tax);
        ObjectNode result = JsonSupport.object();
        result.put("order_id", order.orderId());
        result.put("item_count", order.items().size());
        result.put("subtotal", subtotal);
        result.put("tax", tax);
        result.put("total", total);
        result.put("currency", Orders.CURRENCY);
        result.put("validated", true);
        return result;
    }

    /** Reserves every item line of the order. */
    @StepHandler(RESERVE_INVENTORY)
    public ObjectNode reserveInventory(JsonNode context) {
        Orders.Order order = Orders.parse(context);
        ObjectNode result = JsonSupport.object();
        result.put("reservation_id", "res-" + order.orderId());
        ArrayNode reserved = result.putArray("reserved");
        for (Orders.Item item : order.items()) {
            reserved.addObject().put("sku", item.sku()).put("quantity", item.quantity());
        }
        return result;
    }

    /**
     * Charges the total priced by validate_order against the reservation of reserve_inventory; the
     * token {@code tok_declined} is declined (permanently).
     */
    @StepHandler(PROCESS_PAYMENT)
    public ObjectNode processPayment(StepContext ctx) {
        Orders.Order order = Orders.parse(ctx.context());
        JsonNode validated = Orders.dependency(ctx, Orders.VALIDATE_ORDER);
        JsonNode reservation = Orders.dependency(ctx, Orders.RESERVE_INVENTORY);
        BigDecimal total = Orders.amount(validated, "total", Orders.VALIDATE_ORDER);
        String reservationId =
                Orders.resultText(reservation, "reservation_id", Orders.RESERVE_INVENTORY);
        if (Orders.DECLINED_TOKEN.equals(order.paymentToken())) {
            throw new PermanentStepException(
                    "payment of "
                            + total.toPlainString()
                            + " "
                            + Orders.CURRENCY
                            + " for order "
                            + order.orderId()
                            + " was declined",
                    "payment_declined");
        }
        ObjectNode result = JsonSupport.object();
        result.put("payment_id", "pay-" + order.orderId());
        result.put("amount_charged", total);
        result.put("method", order.paymentMethod());
        result.put("reservation_id", reservationId);
        return result;
    }

    /** Ships a paid order; {@code express} goes by UPS, anything else by USPS. */
    @StepHandler(SHIP_ORDER)
    public ObjectNode shipOrder(StepContext ctx) {
        Orders.Order order = Orders.parse(ctx.context());
        Orders.dependency(ctx, Orders.VALIDATE_ORDER);
        Orders.dependency(ctx, Orders.RESERVE_INVENTORY);
        JsonNode payment = Orders.dependency(ctx, Orders.PROCESS_PAYMENT);
        BigDecimal charged = Orders.amount(payment, "amount_charged", Orders.PROCESS_PAYMENT);
        ObjectNode result = JsonSupport.object();
        result.put("shipment_id", "shp-" + order.orderId());
        result.put("tracking_number", String.format(Locale.ROOT, "TRK%010d", order.orderId()));
        result.put("carrier", "express".equals(order.shippingMethod()) ? "ups" : "usps");
        result.put("amount_charged", charged);
        result.put("status", "shipped");
        return result;
    }
}

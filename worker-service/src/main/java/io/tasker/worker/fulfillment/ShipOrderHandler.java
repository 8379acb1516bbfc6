package io.tasker.worker.fulfillment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepHandler;
import io.tasker.worker.handler.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * {@code fulfillment.ship_order}: ships a paid order; {@code express} goes by UPS, anything else by
 * USPS.
 */
@ApplicationScoped
public class ShipOrderHandler implements StepHandler {

    public static final String NAME = "fulfillment.ship_order";

    public ShipOrderHandler() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StepResult handle(StepContext ctx) {
        Orders.Order order;
        BigDecimal charged;
        try {
            order = Orders.parse(ctx.context());
            Orders.dependency(ctx, Orders.VALIDATE_ORDER);
            Orders.dependency(ctx, Orders.RESERVE_INVENTORY);
            JsonNode payment = Orders.dependency(ctx, Orders.PROCESS_PAYMENT);
            charged = Orders.amount(payment, "amount_charged", Orders.PROCESS_PAYMENT);
        } catch (Orders.Rejected e) {
            return e.toResult();
        }
        ObjectNode result = JsonSupport.object();
        result.put("shipment_id", "shp-" + order.orderId());
        result.put("tracking_number", String.format(Locale.ROOT, "TRK%010d", order.orderId()));
        result.put("carrier", "express".equals(order.shippingMethod()) ? "ups" : "usps");
        result.put("amount_charged", charged);
        result.put("status", "shipped");
        return StepResult.success(result);
    }
}

package io.tasker.worker.fulfillment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.handler.CheckedInputHandler;
import io.tasker.worker.handler.InvalidInputException;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * {@code fulfillment.ship_order}: ships a paid order; {@code express} goes by UPS, anything else by
 * USPS.
 */
@ApplicationScoped
public class ShipOrderHandler extends CheckedInputHandler {

    public static final String NAME = "fulfillment.ship_order";

    public ShipOrderHandler() {
        super(NAME);
    }

    @Override
    protected StepResult run(StepContext ctx) throws InvalidInputException {
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
        return StepResult.success(result);
    }
}

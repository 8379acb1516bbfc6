package io.tasker.worker.fulfillment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.handler.CheckedInputHandler;
import io.tasker.worker.handler.InvalidInputException;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;

/**
 * {@code fulfillment.validate_order}: checks the order and prices it: subtotal, 8% tax (HALF_UP)
 * and total, in USD with two decimals.
 */
@ApplicationScoped
public class ValidateOrderHandler extends CheckedInputHandler {

    public static final String NAME = "fulfillment.validate_order";

    public ValidateOrderHandler() {
        super(NAME);
    }

    @Override
    protected StepResult run(StepContext ctx) throws InvalidInputException {
        Orders.Order order = Orders.parse(ctx.context());
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
        return StepResult.success(result);
    }
}

package io.tasker.worker.fulfillment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepHandler;
import io.tasker.worker.handler.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;

/**
 * {@code fulfillment.process_payment}: charges the total priced by validate_order against the
 * reservation of reserve_inventory; the token {@code tok_declined} is declined (permanently).
 */
@ApplicationScoped
public class ProcessPaymentHandler implements StepHandler {

    public static final String NAME = "fulfillment.process_payment";

    public ProcessPaymentHandler() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StepResult handle(StepContext ctx) {
        Orders.Order order;
        BigDecimal total;
        String reservationId;
        try {
            order = Orders.parse(ctx.context());
            JsonNode validated = Orders.dependency(ctx, Orders.VALIDATE_ORDER);
            JsonNode reservation = Orders.dependency(ctx, Orders.RESERVE_INVENTORY);
            total = Orders.amount(validated, "total", Orders.VALIDATE_ORDER);
            reservationId =
                    Orders.resultText(reservation, "reservation_id", Orders.RESERVE_INVENTORY);
        } catch (Orders.Rejected e) {
            return e.toResult();
        }
        if (Orders.DECLINED_TOKEN.equals(order.paymentToken())) {
            return StepResult.permanentFailure(
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
        return StepResult.success(result);
    }
}

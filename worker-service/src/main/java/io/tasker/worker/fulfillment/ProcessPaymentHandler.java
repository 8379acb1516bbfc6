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

/**
 * {@code fulfillment.process_payment}: charges the total priced by validate_order against the
 * reservation of reserve_inventory; the token {@code tok_declined} is declined (permanently).
 */
@ApplicationScoped
public class ProcessPaymentHandler extends CheckedInputHandler {

    public static final String NAME = "fulfillment.process_payment";

    public ProcessPaymentHandler() {
        super(NAME);
    }

    @Override
    protected StepResult run(StepContext ctx) throws InvalidInputException {
        Orders.Order order = Orders.parse(ctx.context());
        JsonNode validated = Orders.dependency(ctx, Orders.VALIDATE_ORDER);
        JsonNode reservation = Orders.dependency(ctx, Orders.RESERVE_INVENTORY);
        BigDecimal total = Orders.amount(validated, "total", Orders.VALIDATE_ORDER);
        String reservationId =
                Orders.resultText(reservation, "reservation_id", Orders.RESERVE_INVENTORY);
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

package io.tasker.worker.fulfillment;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.handler.CheckedInputHandler;
import io.tasker.worker.handler.InvalidInputException;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code fulfillment.reserve_inventory}: reserves every item line of the order. */
@ApplicationScoped
public class ReserveInventoryHandler extends CheckedInputHandler {

    public static final String NAME = "fulfillment.reserve_inventory";

    public ReserveInventoryHandler() {
        super(NAME);
    }

    @Override
    protected StepResult run(StepContext ctx) throws InvalidInputException {
        Orders.Order order = Orders.parse(ctx.context());
        ObjectNode result = JsonSupport.object();
        result.put("reservation_id", "res-" + order.orderId());
        ArrayNode reserved = result.putArray("reserved");
        for (Orders.Item item : order.items()) {
            reserved.addObject().put("sku", item.sku()).put("quantity", item.quantity());
        }
        return StepResult.success(result);
    }
}

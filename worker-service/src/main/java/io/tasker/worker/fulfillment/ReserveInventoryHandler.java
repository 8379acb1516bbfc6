package io.tasker.worker.fulfillment;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepHandler;
import io.tasker.worker.handler.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code fulfillment.reserve_inventory}: reserves every item line of the order. */
@ApplicationScoped
public class ReserveInventoryHandler implements StepHandler {

    public static final String NAME = "fulfillment.reserve_inventory";

    public ReserveInventoryHandler() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StepResult handle(StepContext ctx) {
        Orders.Order order;
        try {
            order = Orders.parse(ctx.context());
        } catch (Orders.Rejected e) {
            return e.toResult();
        }
        ObjectNode result = JsonSupport.object();
        result.put("reservation_id", "res-" + order.orderId());
        ArrayNode reserved = result.putArray("reserved");
        for (Orders.Item item : order.items()) {
            reserved.addObject().put("sku", item.sku()).put("quantity", item.quantity());
        }
        return StepResult.success(result);
    }
}

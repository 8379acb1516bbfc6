package io.tasker.worker.fulfillment;

import static io.tasker.worker.testing.StepContexts.after;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.StepResult;
import io.tasker.worker.testing.HandlerTester;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FulfillmentHandlersTest {

    private static final HandlerTester HANDLERS = HandlerTester.of(new Fulfillment());

    private static final String ORDER =
            """
            {
              "order_id": 12345,
              "customer": {"id": "cust-1", "email": "ada@example.com"},
              "items": [
                {"sku": "WIDGET", "quantity": 2, "price": 19.99},
                {"sku": "GADGET", "quantity": 1, "price": 5.25}
              ],
              "payment": {"method": "credit_card", "token": "tok_visa"},
              "shipping": {"method": "standard", "address": {"street": "1 Main St", "city": "Springfield"}}
            }
            """;

    private static JsonNode json(String s) {
        return JsonSupport.parse(s);
    }

    private static JsonNode success(StepResult r) {
        assertThat(r).isInstanceOf(StepResult.Success.class);
        return ((StepResult.Success) r).result();
    }

    private static StepResult.PermanentFailure permanent(StepResult r) {
        assertThat(r).isInstanceOf(StepResult.PermanentFailure.class);
        return (StepResult.PermanentFailure) r;
    }

    /** Runs the four steps in order, each given its ancestors' results. */
    private static Map<String, JsonNode> runAll(JsonNode order) {
        Map<String, JsonNode> results = new LinkedHashMap<>();
        results.put("validate_order", succeed(Fulfillment.VALIDATE_ORDER, order, results));
        results.put("reserve_inventory", succeed(Fulfillment.RESERVE_INVENTORY, order, results));
        results.put("process_payment", succeed(Fulfillment.PROCESS_PAYMENT, order, results));
        results.put("ship_order", succeed(Fulfillment.SHIP_ORDER, order, results));
        return results;
    }

    /** Runs one step of the order, given the results of the steps before it; it must succeed. */
    private static JsonNode succeed(String handler, JsonNode order, Map<String, JsonNode> results) {
        return success(HANDLERS.run(handler, after(order, Map.copyOf(results))));
    }

    @Test
    void validateOrderComputesTotalsToTheCent() {
        JsonNode r =
                success(HANDLERS.run(Fulfillment.VALIDATE_ORDER, after(json(ORDER), Map.of())));
        // 2 x 19.99 + 5.25 = 45.23; tax 8% = 3.6184 -> 3.62; total 48.85
        assertThat(r.get("order_id").asLong()).isEqualTo(12345);
        assertThat(r.get("item_count").asInt()).isEqualTo(2);
        assertThat(r.get("subtotal").decimalValue()).isEqualTo(new BigDecimal("45.23"));
        assertThat(r.get("tax").decimalValue()).isEqualTo(new BigDecimal("3.62"));
        assertThat(r.get("total").decimalValue()).isEqualTo(new BigDecimal("48.85"));
        assertThat(r.get("currency").asText()).isEqualTo("USD");
        assertThat(r.get("validated").asBoolean()).isTrue();
        assertThat(r.get("total").isNumber()).isTrue();
        assertThat(JsonSupport.write(r))
                .isEqualTo(
                        "{\"order_id\":12345,\"item_count\":2,\"subtotal\":45.23,\"tax\":3.62,"
                                + "\"total\":48.85,\"currency\":\"USD\",\"validated\":true}");
    }

    @Test
    void moneyKeepsTwoDecimalsAndRoundsHalfUp() {
        ObjectNode order = (ObjectNode) json(ORDER);
        order.set(
                "items",
                json(
                        "[{\"sku\": \"A\", \"quantity\": 1, \"price\": 10},"
                                + " {\"sku\": \"B\", \"quantity\": 1, \"price\": 0.125}]"));
        JsonNode r = success(HANDLERS.run(Fulfillment.VALIDATE_ORDER, after(order, Map.of())));
        // 10.125 -> 10.13 (HALF_UP); tax 0.8104 -> 0.81; total 10.94
        assertThat(JsonSupport.write(r.get("subtotal"))).isEqualTo("10.13");
        assertThat(JsonSupport.write(r.get("tax"))).isEqualTo("0.81");
        assertThat(JsonSupport.write(r.get("total"))).isEqualTo("10.94");

        order.set("items", json("[{\"sku\": \"A\", \"quantity\": 3, \"price\": 10}]"));
        JsonNode whole = success(HANDLERS.run(Fulfillment.VALIDATE_ORDER, after(order, Map.of())));
        assertThat(JsonSupport.write(whole.get("subtotal"))).isEqualTo("30.00");
        assertThat(JsonSupport.write(whole.get("tax"))).isEqualTo("2.40");
        assertThat(JsonSupport.write(whole.get("total"))).isEqualTo("32.40");
    }

    @Test
    void fullOrderFlowsThroughAllFourSteps() {
        Map<String, JsonNode> results = runAll(json(ORDER));

        assertThat(JsonSupport.canonical(results.get("reserve_inventory")))
                .isEqualTo(
                        "{\"reservation_id\":\"res-12345\",\"reserved\":["
                                + "{\"quantity\":2,\"sku\":\"WIDGET\"},"
                                + "{\"quantity\":1,\"sku\":\"GADGET\"}]}");

        JsonNode payment = results.get("process_payment");
        assertThat(payment.get("payment_id").asText()).isEqualTo("pay-12345");
        assertThat(payment.get("amount_charged").decimalValue()).isEqualTo(new BigDecimal("48.85"));
        assertThat(payment.get("method").asText()).isEqualTo("credit_card");
        assertThat(payment.get("reservation_id").asText()).isEqualTo("res-12345");

        JsonNode shipment = results.get("ship_order");
        assertThat(shipment.get("shipment_id").asText()).isEqualTo("shp-12345");
        assertThat(shipment.get("tracking_number").asText()).isEqualTo("TRK0000012345");
        assertThat(shipment.get("carrier").asText()).isEqualTo("usps");
        assertThat(shipment.get("amount_charged").decimalValue())
                .isEqualTo(new BigDecimal("48.85"));
        assertThat(shipment.get("status").asText()).isEqualTo("shipped");
    }

    @Test
    void handlersAreDeterministic() {
        assertThat(runAll(json(ORDER))).isEqualTo(runAll(json(ORDER)));
    }

    @Test
    void expressShipsByUps() {
        ObjectNode order = (ObjectNode) json(ORDER);
        ((ObjectNode) order.get("shipping")).put("method", "express");
        assertThat(runAll(order).get("ship_order").get("carrier").asText()).isEqualTo("ups");
    }

    @Test
    void amountsReadFromStoredResultsSurviveARoundTrip() {
        // results come back from the database re-parsed; decimal strings are accepted as well
        Map<String, JsonNode> results = new LinkedHashMap<>();
        results.put("validate_order", json("{\"total\": \"48.85\", \"validated\": true}"));
        results.put("reserve_inventory", json("{\"reservation_id\": \"res-12345\"}"));
        JsonNode payment =
                success(HANDLERS.run(Fulfillment.PROCESS_PAYMENT, after(json(ORDER), results)));
        assertThat(JsonSupport.write(payment.get("amount_charged"))).isEqualTo("48.85");
        assertThat(payment.get("amount_charged").isNumber()).isTrue();
    }

    @Test
    void declinedTokenIsAPermanentFailure() {
        ObjectNode order = (ObjectNode) json(ORDER);
        ((ObjectNode) order.get("payment")).put("token", "tok_declined");
        Map<String, JsonNode> results = new LinkedHashMap<>();
        results.put("validate_order", succeed(Fulfillment.VALIDATE_ORDER, order, results));
        results.put("reserve_inventory", succeed(Fulfillment.RESERVE_INVENTORY, order, results));
        StepResult.PermanentFailure f =
                permanent(HANDLERS.run(Fulfillment.PROCESS_PAYMENT, after(order, results)));
        assertThat(f.type()).isEqualTo("payment_declined");
        assertThat(f.message()).contains("declined").contains("48.85");
    }

    @Test
    void invalidOrdersArePermanentFailuresWithAReason() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("items", "[]");
        cases.put("order_id", "\"abc\"");
        cases.put("customer", "{\"id\": \"c\"}");
        cases.put("payment", "{\"method\": \"card\"}");
        cases.put("shipping", "{\"method\": \"standard\"}");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            ObjectNode order = (ObjectNode) json(ORDER);
            order.set(c.getKey(), json(c.getValue()));
            StepResult.PermanentFailure f =
                    permanent(HANDLERS.run(Fulfillment.VALIDATE_ORDER, after(order, Map.of())));
            assertThat(f.type()).as(c.getKey()).isEqualTo("invalid_order");
            assertThat(f.message()).as(c.getKey()).startsWith("invalid order: ");
        }

        ObjectNode zeroQuantity = (ObjectNode) json(ORDER);
        ((ObjectNode) zeroQuantity.get("items").get(1)).put("quantity", 0);
        assertThat(
                        permanent(
                                        HANDLERS.run(
                                                Fulfillment.VALIDATE_ORDER,
                                                after(zeroQuantity, Map.of())))
                                .message())
                .contains("items[1].quantity");

        ObjectNode negativePrice = (ObjectNode) json(ORDER);
        ((ObjectNode) negativePrice.get("items").get(0)).put("price", -1);
        assertThat(
                        permanent(
                                        HANDLERS.run(
                                                Fulfillment.VALIDATE_ORDER,
                                                after(negativePrice, Map.of())))
                                .message())
                .contains("items[0].price");

        assertThat(
                        permanent(
                                        HANDLERS.run(
                                                Fulfillment.VALIDATE_ORDER,
                                                after(json("{}"), Map.of())))
                                .type())
                .isEqualTo("invalid_order");
    }

    @Test
    void missingDependencyResultIsPermanent() {
        StepResult.PermanentFailure f =
                permanent(HANDLERS.run(Fulfillment.PROCESS_PAYMENT, after(json(ORDER), Map.of())));
        assertThat(f.type()).isEqualTo("missing_dependency_result");
        assertThat(f.message()).contains("validate_order");
    }

    @Test
    void handlerNamesAreThePublishedOnes() {
        assertThat(HANDLERS.names())
                .containsExactly(
                        "fulfillment.process_payment",
                        "fulfillment.reserve_inventory",
                        "fulfillment.ship_order",
                        "fulfillment.validate_order");
    }
}

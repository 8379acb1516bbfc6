package io.tasker.worker.internal.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.Handler;
import io.tasker.worker.PermanentStepException;
import io.tasker.worker.RetryableStepException;
import io.tasker.worker.StepContext;
import io.tasker.worker.StepHandler;
import io.tasker.worker.StepResult;
import io.tasker.worker.testing.HandlerTester;
import io.tasker.worker.testing.StepContexts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Handlers found on beans, their parameters bound and their outcomes read as the worker does. */
class HandlerRegistryTest {

    record Order(long orderId, String sku) {}

    record Priced(long orderId, double total) {}

    /** A bean with several method handlers. */
    public static class Shop {
        @StepHandler("shop.price")
        public Priced price(Order order) {
            return new Priced(order.orderId(), 12.5);
        }

        @StepHandler("shop.label")
        public String label(Order order, StepContext ctx) {
            Priced priced = ctx.dependency("price", Priced.class);
            return order.sku() + "@" + priced.total() + "#" + ctx.attempt();
        }

        @StepHandler("shop.audit")
        public void audit(JsonNode context) {}

        @StepHandler("shop.nothing")
        public Object nothing() {
            return null;
        }

        @StepHandler("shop.unwritable")
        public Object unwritable() {
            return new Object();
        }

        @StepHandler("shop.declined")
        public Priced declined() {
            throw new PermanentStepException("card declined", "payment_declined");
        }

        @StepHandler("shop.busy")
        public Priced busy() {
            throw new RetryableStepException(
                    "rate limited", "rate_limited", Duration.ofSeconds(30));
        }

        @StepHandler("shop.broken")
        public Priced broken() {
            throw new AssertionError("invariant broken");
        }

        @StepHandler("shop.failed")
        public StepResult failed() {
            return StepResult.permanentFailure("no", "refused");
        }
    }

    /** A bean that is one handler. */
    @StepHandler("shop.echo")
    public static class Echo implements Handler {
        @Override
        public Object handle(StepContext context) {
            return context.context();
        }
    }

    @StepHandler("shop.price")
    public static class AnotherPrice implements Handler {
        @Override
        public Object handle(StepContext context) {
            return null;
        }
    }

    @StepHandler("shop.not_a_handler")
    public static class NotAHandler {}

    public static class PrimitiveParameter {
        @StepHandler("shop.count")
        public long count(long n) {
            return n;
        }
    }

    private static final JsonNode ORDER =
            JsonSupport.parse("{\"orderId\": 7, \"sku\": \"BOOK\", \"note\": \"ignored\"}");

    private final HandlerTester shop = HandlerTester.of(new Shop(), new Echo());

    @Test
    void every_annotated_method_and_class_of_the_beans_is_a_handler() {
        assertThat(shop.names())
                .containsExactly(
                        "shop.audit",
                        "shop.broken",
                        "shop.busy",
                        "shop.declined",
                        "shop.echo",
                        "shop.failed",
                        "shop.label",
                        "shop.nothing",
                        "shop.price",
                        "shop.unwritable");
    }

    @Test
    void a_method_input_is_bound_from_the_task_context_and_its_value_is_the_json_result() {
        StepResult r = shop.run("shop.price", StepContexts.root(ORDER, JsonSupport.object()));
        assertThat(r).isInstanceOf(StepResult.Success.class);
        assertThat(((StepResult.Success) r).result().toString())
                .isEqualTo("{\"orderId\":7,\"total\":12.5}");
    }

    @Test
    void dependency_results_are_read_by_step_name_as_a_type() {
        StepContext ctx =
                StepContexts.after(
                        ORDER, Map.of("price", JsonSupport.parse("{\"orderId\":7,\"total\":3.5}")));
        assertThat(shop.run("shop.label", ctx))
                .isEqualTo(StepResult.success(JsonSupport.MAPPER.valueToTree("BOOK@3.5#1")));
    }

    @Test
    void a_missing_dependency_result_is_a_permanent_failure_naming_the_step() {
        StepResult r = shop.run("shop.label", StepContexts.after(ORDER, Map.of()));
        assertThat(r)
                .isEqualTo(
                        StepResult.permanentFailure(
                                "step 'price' has no result for this step to read",
                                "invalid_dependency_result"));
    }

    @Test
    void input_that_does_not_fit_the_type_is_a_permanent_invalid_input() {
        JsonNode bad = JsonSupport.parse("{\"orderId\": \"seven\"}");
        StepResult r = shop.run("shop.price", StepContexts.root(bad, JsonSupport.object()));
        assertThat(r).isInstanceOf(StepResult.PermanentFailure.class);
        StepResult.PermanentFailure f = (StepResult.PermanentFailure) r;
        assertThat(f.type()).isEqualTo("invalid_input");
        assertThat(f.message()).startsWith("the task's context cannot be read as Order: ");
    }

    @Test
    void a_void_method_succeeds_with_a_null_result() {
        assertThat(shop.run("shop.audit", StepContexts.root(ORDER, JsonSupport.object())))
                .isEqualTo(StepResult.success(JsonSupport.MAPPER.nullNode()));
    }

    @Test
    void returning_null_fails_the_step_permanently() {
        assertThat(shop.run("shop.nothing", StepContexts.root(ORDER, JsonSupport.object())))
                .isEqualTo(
                        StepResult.permanentFailure(
                                "handler shop.nothing returned no result", "null_result"));
    }

    @Test
    void a_value_jackson_cannot_write_fails_the_step_permanently_naming_its_type() {
        StepResult r = shop.run("shop.unwritable", StepContexts.root(ORDER, JsonSupport.object()));
        StepResult.PermanentFailure f = (StepResult.PermanentFailure) r;
        assertThat(f.type()).isEqualTo("invalid_result");
        assertThat(f.message())
                .startsWith(
                        "handler shop.unwritable returned a java.lang.Object that cannot be"
                                + " written as JSON: ");
    }

    @Test
    void the_sdk_exceptions_say_permanent_or_retryable_with_retry_after() {
        assertThat(shop.run("shop.declined", StepContexts.root(ORDER, JsonSupport.object())))
                .isEqualTo(StepResult.permanentFailure("card declined", "payment_declined"));
        assertThat(shop.run("shop.busy", StepContexts.root(ORDER, JsonSupport.object())))
                .isEqualTo(
                        StepResult.retryableFailure(
                                "rate limited", "rate_limited", Duration.ofSeconds(30)));
    }

    @Test
    void any_other_throwable_errors_included_is_retryable_with_its_type_and_message() {
        assertThat(shop.run("shop.broken", StepContexts.root(ORDER, JsonSupport.object())))
                .isEqualTo(StepResult.retryableFailure("invariant broken", "AssertionError"));
    }

    @Test
    void a_returned_step_result_is_the_outcome_as_it_is() {
        assertThat(shop.run("shop.failed", StepContexts.root(ORDER, JsonSupport.object())))
                .isEqualTo(StepResult.permanentFailure("no", "refused"));
    }

    @Test
    void a_class_handler_returns_any_value() {
        assertThat(shop.run("shop.echo", StepContexts.root(ORDER, JsonSupport.object())))
                .isEqualTo(StepResult.success(ORDER));
    }

    @Test
    void two_handlers_with_one_name_stop_the_start_naming_both() {
        assertThatThrownBy(() -> HandlerRegistry.ofBeans(new Shop(), new AnotherPrice()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "two handlers are named 'shop.price': "
                                + Shop.class.getName()
                                + "#price and "
                                + AnotherPrice.class.getName());
    }

    @Test
    void an_annotated_class_that_is_no_handler_and_an_unbindable_parameter_stop_the_start() {
        assertThatThrownBy(() -> HandlerRegistry.ofBeans(new NotAHandler()))
                .hasMessageContaining("is annotated @StepHandler but does not implement");
        assertThatThrownBy(() -> HandlerRegistry.ofBeans(new PrimitiveParameter()))
                .hasMessageContaining("of type long cannot be bound");
    }

    @Test
    void the_names_found_are_listed_in_order() {
        assertThat(HandlerRegistry.ofBeans(new Echo()).names())
                .isEqualTo(java.util.Set.of("shop.echo"));
        assertThat(List.copyOf(shop.names())).isSorted();
    }
}

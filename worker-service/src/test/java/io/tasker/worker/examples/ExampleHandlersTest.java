package io.tasker.worker.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.StepContext;
import io.tasker.worker.StepResult;
import io.tasker.worker.testing.HandlerTester;
import io.tasker.worker.testing.StepContexts;
import java.math.BigInteger;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ExampleHandlersTest {

    /** Each test gets its own beans: the flaky handler counts invocations per bean. */
    private final HandlerTester handlers = HandlerTester.of(new Examples(), new SleepHandler());

    private static JsonNode json(String s) {
        return JsonSupport.parse(s);
    }

    private static StepContext ctx(
            String context,
            String config,
            int attempt,
            List<String> parents,
            Map<String, JsonNode> results,
            Runnable heartbeat) {
        return StepContexts.of(
                UUID.randomUUID(),
                json(context),
                json(config),
                attempt,
                parents,
                results,
                heartbeat);
    }

    private static final UUID FLAKY_STEP = UUID.randomUUID();

    /** The same step on every call, as the flaky handler counts invocations per step. */
    private static StepContext sameStep(UUID step, String config, int attempt) {
        return StepContexts.of(
                step, JsonSupport.object(), json(config), attempt, List.of(), Map.of(), () -> {});
    }

    private static StepContext root(String context) {
        return ctx(context, "{}", 1, List.of(), Map.of(), () -> {});
    }

    private static StepContext withParents(Map<String, JsonNode> parentResults) {
        return ctx(
                "{\"even_number\": 6}",
                "{}",
                1,
                List.copyOf(parentResults.keySet()),
                parentResults,
                () -> {});
    }

    private static StepContext withConfig(String config, int attempt) {
        return ctx("{}", config, attempt, List.of(), Map.of(), () -> {});
    }

    private static JsonNode successResult(StepResult r) {
        assertThat(r).isInstanceOf(StepResult.Success.class);
        return ((StepResult.Success) r).result();
    }

    // --- square_product ---

    @Test
    void squareProductRootSquaresEvenNumber() {
        JsonNode r =
                successResult(handlers.run(Examples.SQUARE_PRODUCT, root("{\"even_number\": 6}")));
        assertThat(r.isNumber()).isTrue();
        assertThat(r.bigIntegerValue()).isEqualTo(BigInteger.valueOf(36));
        assertThat(JsonSupport.write(r)).isEqualTo("36");
    }

    @Test
    void squareProductOfTwoParents() {
        Map<String, JsonNode> parents = Map.of("left", json("1296"), "right", json("1296"));
        JsonNode r = successResult(handlers.run(Examples.SQUARE_PRODUCT, withParents(parents)));
        assertThat(r.bigIntegerValue()).isEqualTo(new BigInteger("2821109907456"));
        assertThat(JsonSupport.write(r)).isEqualTo("2821109907456");
    }

    @Test
    void squareProductUsesOnlyDirectParents() {
        // ancestors' results are present too, but only the direct parents count
        Map<String, JsonNode> results =
                Map.of("start", json("36"), "left", json("1296"), "right", json("1296"));
        StepContext c =
                ctx("{\"even_number\": 6}", "{}", 1, List.of("left", "right"), results, () -> {});
        JsonNode r = successResult(handlers.run(Examples.SQUARE_PRODUCT, c));
        assertThat(r.bigIntegerValue()).isEqualTo(BigInteger.valueOf(6).pow(16));
    }

    @Test
    void squareProductIsExactForHugeNumbers() {
        BigInteger huge = BigInteger.valueOf(6).pow(64); // 50 digits, far beyond long
        Map<String, JsonNode> parents = new LinkedHashMap<>();
        parents.put("a", json(huge.toString()));
        parents.put("b", json(huge.toString()));
        parents.put("c", json("\"" + huge + "\"")); // decimal strings are accepted too
        JsonNode r = successResult(handlers.run(Examples.SQUARE_PRODUCT, withParents(parents)));
        BigInteger expected = huge.pow(6);
        assertThat(r.isNumber()).isTrue();
        assertThat(r.bigIntegerValue()).isEqualTo(expected);
        assertThat(JsonSupport.write(r)).isEqualTo(expected.toString());
        // the result survives a round trip through stored JSON exactly
        assertThat(JsonSupport.parse(JsonSupport.write(r)).bigIntegerValue()).isEqualTo(expected);

        JsonNode bigRoot =
                successResult(
                        handlers.run(
                                Examples.SQUARE_PRODUCT,
                                root("{\"even_number\": 123456789012345678901234567890}")));
        assertThat(bigRoot.bigIntegerValue())
                .isEqualTo(new BigInteger("123456789012345678901234567890").pow(2));
    }

    @Test
    void squareProductFullLinearChainGivesNToThe16() {
        JsonNode s = successResult(square(root("{\"even_number\": 6}")));
        for (int i = 0; i < 3; i++) {
            s = successResult(square(withParents(Map.of("prev", s))));
        }
        assertThat(s.bigIntegerValue()).isEqualTo(new BigInteger("2821109907456"));
    }

    @Test
    void squareProductRejectsNonIntegerInput() {
        for (String context :
                List.of(
                        "{}",
                        "{\"even_number\": null}",
                        "{\"even_number\": \"six\"}",
                        "{\"even_number\": 2.5}",
                        "{\"even_number\": [2]}")) {
            StepResult r = square(root(context));
            assertThat(r).as(context).isInstanceOf(StepResult.PermanentFailure.class);
            StepResult.PermanentFailure f = (StepResult.PermanentFailure) r;
            assertThat(f.type()).isEqualTo("invalid_input");
            assertThat(f.message()).contains("even_number").contains("integer");
        }
    }

    @Test
    void squareProductRejectsNonNumericOrMissingParentResult() {
        StepResult bad = square(withParents(Map.of("left", json("{\"x\": 1}"))));
        assertThat(bad).isInstanceOf(StepResult.PermanentFailure.class);
        assertThat(((StepResult.PermanentFailure) bad).type()).isEqualTo("invalid_input");

        StepContext missing =
                ctx("{\"even_number\": 6}", "{}", 1, List.of("left"), Map.of(), () -> {});
        StepResult r = square(missing);
        assertThat(r).isInstanceOf(StepResult.PermanentFailure.class);
        assertThat(((StepResult.PermanentFailure) r).message()).contains("left");
    }

    // --- noop ---

    @Test
    void noopReturnsItsConfig() {
        JsonNode r =
                successResult(
                        handlers.run(Examples.NOOP, withConfig("{\"a\": 1, \"b\": [true]}", 1)));
        assertThat(r).isEqualTo(json("{\"a\": 1, \"b\": [true]}"));

        StepContext noConfig = StepContexts.root(json("{}"), null);
        assertThat(successResult(handlers.run(Examples.NOOP, noConfig))).isEqualTo(json("{}"));
    }

    // --- sleep ---

    @Test
    void sleepSleepsAndHeartbeats() throws Exception {
        AtomicInteger beats = new AtomicInteger();
        StepContext c =
                ctx(
                        "{}",
                        "{\"ms\": 250, \"heartbeat_ms\": 50}",
                        1,
                        List.of(),
                        Map.of(),
                        beats::incrementAndGet);
        long start = System.nanoTime();
        JsonNode r = successResult(handlers.run(SleepHandler.NAME, c));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).isGreaterThanOrEqualTo(250);
        assertThat(JsonSupport.canonical(r)).isEqualTo("{\"attempt\":1,\"slept_ms\":250}");
        assertThat(beats.get()).isBetween(3, 5);
    }

    @Test
    void sleepDefaultsTo100ms() throws Exception {
        long start = System.nanoTime();
        JsonNode r = successResult(handlers.run(SleepHandler.NAME, withConfig("{}", 1)));
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(100);
        assertThat(r.get("slept_ms").asLong()).isEqualTo(100);
    }

    @Test
    void sleepHonoursInterruption() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                new SleepHandler().handle(withConfig("{\"ms\": 60000}", 1));
                            } catch (Throwable e) {
                                thrown.set(e);
                            }
                        });
        t.start();
        Thread.sleep(100);
        t.interrupt();
        t.join(5000);
        assertThat(t.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void sleepRejectsBadConfig() throws Exception {
        StepResult r = handlers.run(SleepHandler.NAME, withConfig("{\"ms\": -5}", 1));
        assertThat(r).isInstanceOf(StepResult.PermanentFailure.class);
        assertThat(((StepResult.PermanentFailure) r).type()).isEqualTo("invalid_config");
    }

    // --- flaky ---

    @Test
    void flakyFailsRetryablyThenSucceeds() {
        for (int attempt = 1; attempt <= 2; attempt++) {
            StepResult r = flaky(sameStep(FLAKY_STEP, "{\"failures\": 2}", attempt));
            assertThat(r).isInstanceOf(StepResult.RetryableFailure.class);
            StepResult.RetryableFailure f = (StepResult.RetryableFailure) r;
            assertThat(f.message())
                    .isEqualTo(
                            "flaky failure on attempt "
                                    + attempt
                                    + " (invocation "
                                    + attempt
                                    + ")");
            assertThat(f.type()).isEqualTo("flaky");
            assertThat(f.retryAfter()).isNull();
        }
        JsonNode ok = successResult(flaky(sameStep(FLAKY_STEP, "{\"failures\": 2}", 3)));
        assertThat(JsonSupport.canonical(ok)).isEqualTo("{\"attempts\":3,\"invocations\":3}");
        // A reset restarts the attempt count, but the invocation count goes on: the step succeeds.
        JsonNode afterReset = successResult(flaky(sameStep(FLAKY_STEP, "{\"failures\": 2}", 1)));
        assertThat(afterReset.get("invocations").asInt()).isEqualTo(4);
    }

    @Test
    void flakyDefaultsToOneFailure() {
        UUID step = UUID.randomUUID();
        assertThat(flaky(sameStep(step, "{}", 1))).isInstanceOf(StepResult.RetryableFailure.class);
        assertThat(successResult(flaky(sameStep(step, "{}", 2))).get("attempts").asInt())
                .isEqualTo(2);
    }

    @Test
    void flakyCarriesRetryAfterWhenConfigured() {
        StepResult r =
                handlers.run(
                        Examples.FLAKY,
                        withConfig("{\"failures\": 1, \"retry_after_seconds\": 7}", 1));
        assertThat(r).isInstanceOf(StepResult.RetryableFailure.class);
        assertThat(((StepResult.RetryableFailure) r).retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    // --- fail ---

    @Test
    void failIsPermanentWithDefaults() {
        StepResult r = handlers.run(Examples.FAIL, withConfig("{}", 1));
        assertThat(r)
                .isEqualTo(StepResult.permanentFailure("failed on purpose", "deliberate_failure"));
    }

    @Test
    void failUsesConfiguredMessageAndType() {
        StepResult r =
                handlers.run(
                        Examples.FAIL, withConfig("{\"message\": \"boom\", \"type\": \"x_y\"}", 1));
        assertThat(r).isEqualTo(StepResult.permanentFailure("boom", "x_y"));
    }

    @Test
    void handlerNamesAreThePublishedOnes() {
        assertThat(handlers.names())
                .containsExactly(
                        "examples.fail",
                        "examples.flaky",
                        "examples.noop",
                        "examples.sleep",
                        "examples.square_product",
                        "examples.unstorable");
    }

    private StepResult square(StepContext context) {
        return handlers.run(Examples.SQUARE_PRODUCT, context);
    }

    private StepResult flaky(StepContext context) {
        return handlers.run(Examples.FLAKY, context);
    }
}

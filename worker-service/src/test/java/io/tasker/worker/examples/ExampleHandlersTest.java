package io.tasker.worker.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.TestContexts;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepResult;
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
        return TestContexts.of(
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
        return TestContexts.of(
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
        JsonNode r = successResult(new SquareProductHandler().handle(root("{\"even_number\": 6}")));
        assertThat(r.isNumber()).isTrue();
        assertThat(r.bigIntegerValue()).isEqualTo(BigInteger.valueOf(36));
        assertThat(JsonSupport.write(r)).isEqualTo("36");
    }

    @Test
    void squareProductOfTwoParents() {
        Map<String, JsonNode> parents = Map.of("left", json("1296"), "right", json("1296"));
        JsonNode r = successResult(new SquareProductHandler().handle(withParents(parents)));
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
        JsonNode r = successResult(new SquareProductHandler().handle(c));
        assertThat(r.bigIntegerValue()).isEqualTo(BigInteger.valueOf(6).pow(16));
    }

    @Test
    void squareProductIsExactForHugeNumbers() {
        BigInteger huge = BigInteger.valueOf(6).pow(64); // 50 digits, far beyond long
        Map<String, JsonNode> parents = new LinkedHashMap<>();
        parents.put("a", json(huge.toString()));
        parents.put("b", json(huge.toString()));
        parents.put("c", json("\"" + huge + "\"")); // decimal strings are accepted too
        JsonNode r = successResult(new SquareProductHandler().handle(withParents(parents)));
        BigInteger expected = huge.pow(6);
        assertThat(r.isNumber()).isTrue();
        assertThat(r.bigIntegerValue()).isEqualTo(expected);
        assertThat(JsonSupport.write(r)).isEqualTo(expected.toString());
        // the result survives a round trip through stored JSON exactly
        assertThat(JsonSupport.parse(JsonSupport.write(r)).bigIntegerValue()).isEqualTo(expected);

        JsonNode bigRoot =
                successResult(
                        new SquareProductHandler()
                                .handle(root("{\"even_number\": 123456789012345678901234567890}")));
        assertThat(bigRoot.bigIntegerValue())
                .isEqualTo(new BigInteger("123456789012345678901234567890").pow(2));
    }

    @Test
    void squareProductFullLinearChainGivesNToThe16() {
        SquareProductHandler h = new SquareProductHandler();
        JsonNode s = successResult(h.handle(root("{\"even_number\": 6}")));
        for (int i = 0; i < 3; i++) {
            s = successResult(h.handle(withParents(Map.of("prev", s))));
        }
        assertThat(s.bigIntegerValue()).isEqualTo(new BigInteger("2821109907456"));
    }

    @Test
    void squareProductRejectsNonIntegerInput() {
        SquareProductHandler h = new SquareProductHandler();
        for (String context :
                List.of(
                        "{}",
                        "{\"even_number\": null}",
                        "{\"even_number\": \"six\"}",
                        "{\"even_number\": 2.5}",
                        "{\"even_number\": [2]}")) {
            StepResult r = h.handle(root(context));
            assertThat(r).as(context).isInstanceOf(StepResult.PermanentFailure.class);
            StepResult.PermanentFailure f = (StepResult.PermanentFailure) r;
            assertThat(f.type()).isEqualTo("invalid_input");
            assertThat(f.message()).contains("even_number").contains("integer");
        }
    }

    @Test
    void squareProductRejectsNonNumericOrMissingParentResult() {
        SquareProductHandler h = new SquareProductHandler();
        StepResult bad = h.handle(withParents(Map.of("left", json("{\"x\": 1}"))));
        assertThat(bad).isInstanceOf(StepResult.PermanentFailure.class);
        assertThat(((StepResult.PermanentFailure) bad).type()).isEqualTo("invalid_input");

        StepContext missing =
                ctx("{\"even_number\": 6}", "{}", 1, List.of("left"), Map.of(), () -> {});
        StepResult r = h.handle(missing);
        assertThat(r).isInstanceOf(StepResult.PermanentFailure.class);
        assertThat(((StepResult.PermanentFailure) r).message()).contains("left");
    }

    // --- noop ---

    @Test
    void noopReturnsItsConfig() {
        JsonNode r =
                successResult(new NoopHandler().handle(withConfig("{\"a\": 1, \"b\": [true]}", 1)));
        assertThat(r).isEqualTo(json("{\"a\": 1, \"b\": [true]}"));

        StepContext noConfig = TestContexts.root(json("{}"), null);
        assertThat(successResult(new NoopHandler().handle(noConfig))).isEqualTo(json("{}"));
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
        JsonNode r = successResult(new SleepHandler().handle(c));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).isGreaterThanOrEqualTo(250);
        assertThat(JsonSupport.canonical(r)).isEqualTo("{\"attempt\":1,\"slept_ms\":250}");
        assertThat(beats.get()).isBetween(3, 5);
    }

    @Test
    void sleepDefaultsTo100ms() throws Exception {
        long start = System.nanoTime();
        JsonNode r = successResult(new SleepHandler().handle(withConfig("{}", 1)));
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
        StepResult r = new SleepHandler().handle(withConfig("{\"ms\": -5}", 1));
        assertThat(r).isInstanceOf(StepResult.PermanentFailure.class);
        assertThat(((StepResult.PermanentFailure) r).type()).isEqualTo("invalid_config");
    }

    // --- flaky ---

    @Test
    void flakyFailsRetryablyThenSucceeds() {
        FlakyHandler h = new FlakyHandler();
        for (int attempt = 1; attempt <= 2; attempt++) {
            StepResult r = h.handle(sameStep(FLAKY_STEP, "{\"failures\": 2}", attempt));
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
        JsonNode ok = successResult(h.handle(sameStep(FLAKY_STEP, "{\"failures\": 2}", 3)));
        assertThat(JsonSupport.canonical(ok)).isEqualTo("{\"attempts\":3,\"invocations\":3}");
        // A reset restarts the attempt count, but the invocation count goes on: the step succeeds.
        JsonNode afterReset = successResult(h.handle(sameStep(FLAKY_STEP, "{\"failures\": 2}", 1)));
        assertThat(afterReset.get("invocations").asInt()).isEqualTo(4);
    }

    @Test
    void flakyDefaultsToOneFailure() {
        FlakyHandler h = new FlakyHandler();
        UUID step = UUID.randomUUID();
        assertThat(h.handle(sameStep(step, "{}", 1)))
                .isInstanceOf(StepResult.RetryableFailure.class);
        assertThat(successResult(h.handle(sameStep(step, "{}", 2))).get("attempts").asInt())
                .isEqualTo(2);
    }

    @Test
    void flakyCarriesRetryAfterWhenConfigured() {
        StepResult r =
                new FlakyHandler()
                        .handle(withConfig("{\"failures\": 1, \"retry_after_seconds\": 7}", 1));
        assertThat(r).isInstanceOf(StepResult.RetryableFailure.class);
        assertThat(((StepResult.RetryableFailure) r).retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    // --- fail ---

    @Test
    void failIsPermanentWithDefaults() {
        StepResult r = new FailHandler().handle(withConfig("{}", 1));
        assertThat(r)
                .isEqualTo(StepResult.permanentFailure("failed on purpose", "deliberate_failure"));
    }

    @Test
    void failUsesConfiguredMessageAndType() {
        StepResult r =
                new FailHandler()
                        .handle(withConfig("{\"message\": \"boom\", \"type\": \"x_y\"}", 1));
        assertThat(r).isEqualTo(StepResult.permanentFailure("boom", "x_y"));
    }

    @Test
    void handlerNamesAreThePublishedOnes() {
        assertThat(new SquareProductHandler().name()).isEqualTo("examples.square_product");
        assertThat(new NoopHandler().name()).isEqualTo("examples.noop");
        assertThat(new SleepHandler().name()).isEqualTo("examples.sleep");
        assertThat(new FlakyHandler().name()).isEqualTo("examples.flaky");
        assertThat(new FailHandler().name()).isEqualTo("examples.fail");
    }
}

package io.tasker.worker.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.PermanentStepException;
import io.tasker.worker.RetryableStepException;
import io.tasker.worker.StepContext;
import io.tasker.worker.StepHandler;
import io.tasker.worker.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The example handlers the reference templates (linear, diamond, tree, mixed DAG) and the tests
 * use: arithmetic over a DAG, deliberate failures and outcomes the database cannot store.
 */
@ApplicationScoped
@RegisterForReflection(methods = true)
public class Examples {

    public static final String NOOP = "examples.noop";
    public static final String FAIL = "examples.fail";
    public static final String FLAKY = "examples.flaky";
    public static final String SQUARE_PRODUCT = "examples.square_product";
    public static final String UNSTORABLE = "examples.unstorable";

    static final String DEFAULT_FAIL_MESSAGE = "failed on purpose";
    static final String DEFAULT_FAIL_TYPE = "deliberate_failure";
    static final long DEFAULT_FAILURES = 1;
    private static final long MAX_UNSTORABLE_BYTES = 64L * 1024 * 1024;

    private final Map<UUID, Integer> flakyInvocations = new ConcurrentHashMap<>();

    /** Succeeds at once with its config object ({@code {}} when none). */
    @StepHandler(NOOP)
    public ObjectNode noop(StepContext ctx) {
        return ExampleSupport.config(ctx.config()).deepCopy();
    }

    /**
     * Always a permanent failure, with {@code config.message} (default "failed on purpose") and
     * {@code config.type} (default {@code deliberate_failure}).
     */
    @StepHandler(FAIL)
    public StepResult fail(StepContext ctx) {
        return StepResult.permanentFailure(
                ExampleSupport.configText(ctx.config(), "message", DEFAULT_FAIL_MESSAGE),
                ExampleSupport.configText(ctx.config(), "type", DEFAULT_FAIL_TYPE));
    }

    /**
     * Fails retryably on its first {@code config.failures} invocations for a step (default 1), with
     * {@code config.retry_after_seconds} as the retry delay when set, then succeeds with {@code
     * {"attempts": attempt, "invocations": n}}. Invocations are counted per step in this worker
     * process, so an operator's reset (which restarts the attempt count) is followed by a success.
     */
    @StepHandler(FLAKY)
    public ObjectNode flaky(StepContext ctx) {
        long failures =
                ExampleSupport.configLong(
                        ctx.config(), "failures", DEFAULT_FAILURES, 0, Integer.MAX_VALUE);
        long retryAfterSeconds =
                ExampleSupport.configLong(ctx.config(), "retry_after_seconds", -1, 0, 31_536_000L);
        int attempt = ctx.attempt();
        int invocation = flakyInvocations.merge(ctx.stepUuid(), 1, Integer::sum);
        if (invocation <= failures) {
            throw new RetryableStepException(
                    "flaky failure on attempt " + attempt + " (invocation " + invocation + ")",
                    "flaky",
                    retryAfterSeconds < 0 ? null : Duration.ofSeconds(retryAfterSeconds));
        }
        return JsonSupport.object().put("attempts", attempt).put("invocations", invocation);
    }

    /**
     * The square of the product of the direct parents' results, or, for a root step, the square of
     * the context's {@code even_number}. Exact at any size; the result is a bare JSON number.
     */
    @StepHandler(SQUARE_PRODUCT)
    public JsonNode squareProduct(StepContext ctx) {
        BigInteger base;
        if (ctx.parents().isEmpty()) {
            JsonNode n = ctx.context().get("even_number");
            base = n == null || n.isNull() || !n.isNumber() ? null : ExampleSupport.integer(n);
            if (base == null) {
                throw new PermanentStepException(
                        "the context's even_number must be an integer, got "
                                + (n == null ? "nothing" : n.toString()),
                        "invalid_input");
            }
        } else {
            base = BigInteger.ONE;
            for (String parent : ctx.parents()) {
                JsonNode r = ctx.dependencyResult(parent);
                if (r == null || r.isNull() || r.isMissingNode()) {
                    throw new PermanentStepException(
                            "no result for parent step '" + parent + "'", "invalid_input");
                }
                BigInteger value = ExampleSupport.integer(r);
                if (value == null) {
                    throw new PermanentStepException(
                            "the result of parent step '"
                                    + parent
                                    + "' must be an integer (number or decimal string), got "
                                    + abbreviate(r.toString()),
                            "invalid_input");
                }
                base = base.multiply(value);
            }
        }
        return JsonSupport.MAPPER.getNodeFactory().numberNode(base.pow(2));
    }

    /**
     * Returns an outcome the database cannot store as it is, chosen by {@code config.kind}, to show
     * (and test) that the worker fails such a step permanently with the real reason: {@code
     * nul_in_result} (a string with a NUL character at {@code $.text}), {@code nul_in_error} (a
     * retryable failure whose message holds a NUL), {@code retry_after_overflow} (a Retry-After
     * beyond millisecond arithmetic), {@code oversized_result} (a string of {@code config.bytes}
     * characters) or {@code numeric_overflow} (a number beyond PostgreSQL's numeric).
     */
    @StepHandler(UNSTORABLE)
    public StepResult unstorable(StepContext ctx) {
        String kind = ExampleSupport.configText(ctx.config(), "kind", "nul_in_result");
        return switch (kind) {
            case "nul_in_result" ->
                    StepResult.success(JsonSupport.object().put("text", "before\u0000after"));
            case "nul_in_error" ->
                    StepResult.retryableFailure("upstream said \u0000", "upstream_error");
            case "retry_after_overflow" ->
                    StepResult.retryableFailure(
                            "rate limited", "rate_limited", Duration.ofSeconds(Long.MAX_VALUE));
            case "oversized_result" -> {
                long bytes =
                        ExampleSupport.configLong(
                                ctx.config(), "bytes", 1, 0, MAX_UNSTORABLE_BYTES);
                yield StepResult.success(TextNode.valueOf("x".repeat((int) bytes)));
            }
            case "numeric_overflow" ->
                    StepResult.success(DecimalNode.valueOf(new BigDecimal("1E+1000000")));
            default ->
                    StepResult.permanentFailure(
                            "config.kind must be nul_in_result, nul_in_error, retry_after_overflow,"
                                    + " oversized_result or numeric_overflow, got "
                                    + kind,
                            "invalid_config");
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}

package io.tasker.worker.examples;

import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.handler.CheckedInputHandler;
import io.tasker.worker.handler.InvalidInputException;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * {@code examples.unstorable}: returns an outcome the database cannot store as it is, chosen by
 * {@code config.kind}, to show (and test) that the worker fails such a step permanently with the
 * real reason: {@code nul_in_result} (a string with a NUL character at {@code $.text}), {@code
 * nul_in_error} (a retryable failure whose message holds a NUL), {@code retry_after_overflow} (a
 * Retry-After beyond millisecond arithmetic), {@code oversized_result} (a string of {@code
 * config.bytes} characters) or {@code numeric_overflow} (a number beyond PostgreSQL's numeric).
 */
@ApplicationScoped
public class UnstorableResultHandler extends CheckedInputHandler {

    public static final String NAME = "examples.unstorable";
    private static final long MAX_BYTES = 64L * 1024 * 1024;

    public UnstorableResultHandler() {
        super(NAME);
    }

    @Override
    protected StepResult run(StepContext ctx) throws InvalidInputException {
        String kind = ExampleSupport.configText(ctx.config(), "kind", "nul_in_result");
        return switch (kind) {
            case "nul_in_result" ->
                    StepResult.success(JsonSupport.object().put("text", "before\u0000after"));
            case "nul_in_error" ->
                    StepResult.retryableFailure("upstream said \u0000", "upstream_error");
            case "retry_after_overflow" ->
                    StepResult.retryableFailure(
                            "rate limited", "rate_limited", Duration.ofSeconds(Long.MAX_VALUE));
            case "oversized_result" ->
                    StepResult.success(
                            TextNode.valueOf(
                                    "x"
                                            .repeat(
                                                    (int)
                                                            ExampleSupport.configLong(
                                                                    ctx.config(),
                                                                    "bytes",
                                                                    1,
                                                                    0,
                                                                    MAX_BYTES))));
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
}

package io.tasker.worker.internal.execution;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.protocol.ProtocolCodec;
import io.tasker.messages.protocol.StepError;
import io.tasker.messages.protocol.StepOutcome;
import io.tasker.worker.StepResult;

/**
 * Turns a handler's {@link StepResult} into the {@link Report} (the protocol's {@link
 * io.tasker.messages.protocol.StepResult}) the worker stores, refusing in Java what the database
 * would refuse on every try (a NUL character, which jsonb cannot hold; a Retry-After beyond
 * millisecond arithmetic) or what is too large to copy into every descendant's claim. A refused
 * result becomes a permanent failure that says why, so the task fails promptly with the real reason
 * instead of the attempt ending as a lost lease.
 */
public final class ResultCheck {

    static final String INVALID_RESULT = "invalid_result";
    static final String INVALID_RETRY_AFTER = "invalid_retry_after";
    static final String RESULT_TOO_LARGE = "result_too_large";
    static final String REJECTED_BY_DATABASE = "result_rejected_by_database";

    private final long maxResultBytes;

    /**
     * @param maxResultBytes the largest result accepted, in bytes of UTF-8 JSON
     */
    public ResultCheck(long maxResultBytes) {
        this.maxResultBytes = maxResultBytes;
    }

    public Report toReport(StepResult result, String handlerName) {
        if (result instanceof StepResult.Success s) {
            return success(
                    s.result() == null ? JsonSupport.MAPPER.nullNode() : s.result(), handlerName);
        }
        if (result instanceof StepResult.RetryableFailure f) {
            String refused = refusedError(f.message(), f.type());
            if (refused != null) {
                return invalid(refused, INVALID_RESULT, handlerName);
            }
            Long retryAfterMs = null;
            if (f.retryAfter() != null) {
                if (f.retryAfter().isNegative()) {
                    return invalid(
                            "the handler asked to retry after "
                                    + f.retryAfter()
                                    + ", a negative delay",
                            INVALID_RETRY_AFTER,
                            handlerName);
                }
                try {
                    retryAfterMs = f.retryAfter().toMillis();
                } catch (ArithmeticException tooLarge) {
                    return invalid(
                            "the handler asked to retry after "
                                    + f.retryAfter()
                                    + ", more than "
                                    + Long.MAX_VALUE
                                    + " ms",
                            INVALID_RETRY_AFTER,
                            handlerName);
                }
            }
            return failure(
                    StepOutcome.RETRYABLE_FAILURE,
                    error(f.message(), f.type(), handlerName, retryAfterMs),
                    null);
        }
        StepResult.PermanentFailure f = (StepResult.PermanentFailure) result;
        String refused = refusedError(f.message(), f.type());
        if (refused != null) {
            return invalid(refused, INVALID_RESULT, handlerName);
        }
        return failure(
                StepOutcome.PERMANENT_FAILURE,
                error(f.message(), f.type(), handlerName, null),
                null);
    }

    /** The permanent failure stored when the database refused the outcome the handler gave. */
    public Report refusedByDatabase(String databaseMessage, String handlerName) {
        return invalid(
                "the database refused the handler's outcome: " + clean(databaseMessage),
                REJECTED_BY_DATABASE,
                handlerName);
    }

    private Report success(JsonNode value, String handlerName) {
        String json;
        try {
            json = JsonSupport.write(value);
        } catch (RuntimeException e) {
            return invalid(
                    "the handler's result cannot be written as JSON: " + clean(e.getMessage()),
                    INVALID_RESULT,
                    handlerName);
        }
        // JSON writes a NUL as the escape \u0000: only a result whose text holds that escape
        // (a NUL, or a string that spells it) is walked to find the place.
        String nulAt = json.contains("\\u0000") ? NulPath.find(value) : null;
        if (nulAt != null) {
            return invalid(
                    "the handler's result cannot be stored: "
                            + nulAt
                            + " contains a NUL character (\\u0000), which PostgreSQL jsonb refuses",
                    INVALID_RESULT,
                    handlerName);
        }
        long bytes = JsonSupport.utf8Length(json);
        if (bytes > maxResultBytes) {
            return invalid(
                    "the handler's result is "
                            + bytes
                            + " bytes of JSON, over the limit of "
                            + maxResultBytes
                            + " bytes (tasker.worker.max-result-bytes)",
                    RESULT_TOO_LARGE,
                    handlerName);
        }
        return new Report(io.tasker.messages.protocol.StepResult.success(value), json, null);
    }

    private static String refusedError(String message, String type) {
        if (message != null && message.indexOf('\0') >= 0) {
            return "the handler's error message contains a NUL character (\\u0000) at index "
                    + message.indexOf('\0')
                    + ", which PostgreSQL jsonb refuses";
        }
        if (type != null && type.indexOf('\0') >= 0) {
            return "the handler's error type contains a NUL character (\\u0000) at index "
                    + type.indexOf('\0')
                    + ", which PostgreSQL jsonb refuses";
        }
        return null;
    }

    private static Report invalid(String message, String type, String handlerName) {
        return failure(
                StepOutcome.PERMANENT_FAILURE,
                error(message, type, handlerName, null),
                type + ": " + message);
    }

    private static Report failure(StepOutcome outcome, StepError error, String refusal) {
        return new Report(
                io.tasker.messages.protocol.StepResult.failure(outcome, error),
                null,
                ProtocolCodec.write(error),
                refusal);
    }

    private static StepError error(String message, String type, String handler, Long retryAfterMs) {
        return new StepError(
                message == null ? "" : message,
                type == null ? "error" : type,
                handler,
                retryAfterMs);
    }

    private static String clean(String text) {
        return text == null ? "" : text.replace("\0", "\\u0000");
    }
}

package io.tasker.worker.internal.handler;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.JsonSupport;
import io.tasker.worker.PermanentStepException;
import io.tasker.worker.RetryableStepException;
import io.tasker.worker.StepResult;

/** What a handler returned or threw, as the {@link StepResult} of its attempt. */
public final class Outcomes {

    private Outcomes() {}

    /**
     * A returned value: a {@link StepResult} as it is, a JSON tree or any other value (written with
     * Jackson) as a success; {@code null} from a handler declared to return something fails the
     * step permanently, as does a value Jackson cannot write.
     */
    public static StepResult returned(Object value, boolean declaredVoid, String handlerName) {
        if (declaredVoid) {
            return StepResult.success(JsonSupport.MAPPER.nullNode());
        }
        if (value == null) {
            return StepResult.permanentFailure(
                    "handler " + handlerName + " returned no result", "null_result");
        }
        if (value instanceof StepResult result) {
            return result;
        }
        if (value instanceof JsonNode json) {
            return StepResult.success(json);
        }
        try {
            return StepResult.success(JsonSupport.MAPPER.valueToTree(value));
        } catch (IllegalArgumentException | StackOverflowError e) {
            return StepResult.permanentFailure(
                    "handler "
                            + handlerName
                            + " returned a "
                            + value.getClass().getName()
                            + " that cannot be written as JSON: "
                            + firstLine(e.getMessage()),
                    "invalid_result");
        }
    }

    /**
     * A thrown exception or error: the SDK's two exceptions say what they are; anything else is a
     * retryable failure carrying its type and message.
     */
    public static StepResult thrown(Throwable e) {
        if (e instanceof PermanentStepException permanent) {
            return StepResult.permanentFailure(permanent.getMessage(), permanent.type());
        }
        if (e instanceof RetryableStepException retryable) {
            return StepResult.retryableFailure(
                    retryable.getMessage(), retryable.type(), retryable.retryAfter());
        }
        return StepResult.retryableFailure(
                String.valueOf(e.getMessage()), e.getClass().getSimpleName());
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }
}

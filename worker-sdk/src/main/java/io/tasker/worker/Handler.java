package io.tasker.worker;

/**
 * A handler written as a class: a CDI bean ({@code @ApplicationScoped}) annotated with {@link
 * StepHandler} that implements this interface.
 *
 * <p>{@link #handle} runs on a handler thread, never on the event loop, so it may block. It returns
 * any value (stored as the step's JSON result) or a {@link StepResult}; returning {@code null}
 * fails the step permanently ({@code null_result}). Throw {@link RetryableStepException} or {@link
 * PermanentStepException} to fail the attempt; any other exception (or error) is a retryable
 * failure carrying its type and message.
 */
@FunctionalInterface
public interface Handler {

    Object handle(StepContext context) throws Exception;
}

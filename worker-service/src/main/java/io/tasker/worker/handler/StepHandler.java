package io.tasker.worker.handler;

/**
 * The code a worker runs for a step. Implement it as a CDI bean ({@code @ApplicationScoped}); the
 * worker finds it by {@link #name()}, which templates reference as a step's {@code handler}.
 *
 * <p>{@link #handle} runs on a worker thread, never on the event loop, so it may block. Return
 * {@link StepResult#success}, {@link StepResult#retryableFailure} or {@link
 * StepResult#permanentFailure}; an exception thrown is a retryable failure carrying its message and
 * type.
 */
public interface StepHandler {

    /** The name templates use, e.g. {@code fulfillment.validate_order}. */
    String name();

    StepResult handle(StepContext context) throws Exception;
}

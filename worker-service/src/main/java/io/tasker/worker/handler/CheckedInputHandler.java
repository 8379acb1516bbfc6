package io.tasker.worker.handler;

/**
 * A handler whose name is fixed at construction and whose input checks may throw {@link
 * InvalidInputException}: {@link #handle} returns such a rejection as a permanent failure with the
 * exception's message and type, so a handler's body reads its input without a try per check.
 */
public abstract class CheckedInputHandler implements StepHandler {

    private final String name;

    protected CheckedInputHandler(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public StepResult handle(StepContext context) {
        try {
            return run(context);
        } catch (InvalidInputException rejected) {
            return StepResult.permanentFailure(rejected.getMessage(), rejected.type());
        }
    }

    /** The handler's work; an {@link InvalidInputException} becomes a permanent failure. */
    protected abstract StepResult run(StepContext context) throws InvalidInputException;
}

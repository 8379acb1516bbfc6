package io.tasker.worker.examples;

import io.tasker.worker.handler.CheckedInputHandler;
import io.tasker.worker.handler.InvalidInputException;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code examples.fail}: always a permanent failure, with {@code config.message} (default "failed
 * on purpose") and {@code config.type} (default {@code deliberate_failure}).
 */
@ApplicationScoped
public class FailHandler extends CheckedInputHandler {

    public static final String NAME = "examples.fail";
    static final String DEFAULT_MESSAGE = "failed on purpose";
    static final String DEFAULT_TYPE = "deliberate_failure";

    public FailHandler() {
        super(NAME);
    }

    @Override
    protected StepResult run(StepContext ctx) throws InvalidInputException {
        return StepResult.permanentFailure(
                ExampleSupport.configText(ctx.config(), "message", DEFAULT_MESSAGE),
                ExampleSupport.configText(ctx.config(), "type", DEFAULT_TYPE));
    }
}

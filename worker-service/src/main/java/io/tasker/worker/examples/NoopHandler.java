package io.tasker.worker.examples;

import io.tasker.worker.handler.CheckedInputHandler;
import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code examples.noop}: succeeds at once with its config object ({@code {}} when none). */
@ApplicationScoped
public class NoopHandler extends CheckedInputHandler {

    public static final String NAME = "examples.noop";

    public NoopHandler() {
        super(NAME);
    }

    @Override
    protected StepResult run(StepContext ctx) {
        return StepResult.success(ExampleSupport.config(ctx.config()).deepCopy());
    }
}

package io.tasker.worker.examples;

import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepHandler;
import io.tasker.worker.handler.StepResult;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code examples.noop}: succeeds at once with its config object ({@code {}} when none). */
@ApplicationScoped
public class NoopHandler implements StepHandler {

    public static final String NAME = "examples.noop";

    public NoopHandler() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StepResult handle(StepContext ctx) {
        return StepResult.success(ExampleSupport.config(ctx.config()).deepCopy());
    }
}

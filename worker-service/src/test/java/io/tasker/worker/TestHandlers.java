package io.tasker.worker;

import io.tasker.worker.handler.StepContext;
import io.tasker.worker.handler.StepHandler;
import io.tasker.worker.handler.StepResult;

/** Handlers written inline in tests. */
public final class TestHandlers {

    private TestHandlers() {}

    /** What a handler does with its step. */
    @FunctionalInterface
    public interface Body {
        StepResult handle(StepContext context) throws Exception;
    }

    public static StepHandler named(String name, Body body) {
        return new StepHandler() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public StepResult handle(StepContext context) throws Exception {
                return body.handle(context);
            }
        };
    }
}

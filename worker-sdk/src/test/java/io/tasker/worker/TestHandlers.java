package io.tasker.worker;

import io.tasker.worker.internal.handler.RegisteredHandler;

/** Handlers written inline in tests. */
public final class TestHandlers {

    private TestHandlers() {}

    /** What a handler does with its step. */
    @FunctionalInterface
    public interface Body {
        StepResult handle(StepContext context) throws Exception;
    }

    public static RegisteredHandler named(String name, Body body) {
        return new RegisteredHandler() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String source() {
                return "test handler " + name;
            }

            @Override
            public StepResult invoke(StepContext context) throws Exception {
                return body.handle(context);
            }
        };
    }
}

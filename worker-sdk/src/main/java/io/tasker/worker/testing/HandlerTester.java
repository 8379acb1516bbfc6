package io.tasker.worker.testing;

import io.tasker.worker.StepContext;
import io.tasker.worker.StepResult;
import io.tasker.worker.internal.handler.HandlerRegistry;
import java.util.Set;

/**
 * Calls the handlers of some beans by name, binding their parameters and reading what they return
 * or throw exactly as the worker does, but on the calling thread, without a database or deadline:
 * for a handler's unit tests.
 */
public final class HandlerTester {

    private final HandlerRegistry registry;

    private HandlerTester(HandlerRegistry registry) {
        this.registry = registry;
    }

    /** The handlers the given beans declare ({@code @StepHandler} classes and methods). */
    public static HandlerTester of(Object... beans) {
        return new HandlerTester(HandlerRegistry.ofBeans(beans));
    }

    /** The outcome of handler {@code name} for {@code context}. */
    public StepResult run(String name, StepContext context) {
        return registry.run(name, context);
    }

    /** The names of the handlers found. */
    public Set<String> names() {
        return registry.names();
    }
}

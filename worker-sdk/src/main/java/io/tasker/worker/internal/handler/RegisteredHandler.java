package io.tasker.worker.internal.handler;

import io.tasker.worker.StepContext;
import io.tasker.worker.StepResult;

/** One handler the worker can run: its name, where it is declared, and the call itself. */
public interface RegisteredHandler {

    /** The name templates use. */
    String name();

    /** Where the handler is declared (bean class, and method for a method handler). */
    String source();

    /**
     * Runs the handler and turns what it returned into a {@link StepResult}; what it throws is
     * thrown on, for {@link Outcomes#thrown} to read.
     */
    StepResult invoke(StepContext context) throws Throwable;
}

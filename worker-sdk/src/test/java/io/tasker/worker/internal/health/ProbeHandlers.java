package io.tasker.worker.internal.health;

import io.tasker.worker.Handler;
import io.tasker.worker.StepContext;
import io.tasker.worker.StepHandler;
import jakarta.enterprise.context.ApplicationScoped;

/** Handlers of both styles that nothing injects: the worker must find them at start. */
public final class ProbeHandlers {

    private ProbeHandlers() {}

    /** A bean holding two method handlers. */
    @ApplicationScoped
    public static class Methods {
        @StepHandler("probe.first")
        public String first() {
            return "first";
        }

        @StepHandler("probe.second")
        public void second(StepContext context) {}
    }

    /** A bean that is one handler. */
    @ApplicationScoped
    @StepHandler("probe.whole")
    public static class Whole implements Handler {
        @Override
        public Object handle(StepContext context) {
            return "whole";
        }
    }
}

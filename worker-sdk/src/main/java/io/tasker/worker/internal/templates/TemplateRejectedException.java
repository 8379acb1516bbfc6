package io.tasker.worker.internal.templates;

/** The orchestrator refused a shipped template for good; the worker must not start with it. */
public class TemplateRejectedException extends RuntimeException {

    public TemplateRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.tasker.queue;

import org.jboss.logging.MDC;

/**
 * Puts a task's and step's ids into the logging context (MDC) for the duration of one log call, so
 * JSON log lines carry {@code task_uuid}, {@code step_uuid} and {@code correlation_id} as fields.
 */
public final class LogContext {

    private LogContext() {}

    public static void run(Object taskUuid, Object stepUuid, Object correlationId, Runnable log) {
        put("task_uuid", taskUuid);
        put("step_uuid", stepUuid);
        put("correlation_id", correlationId);
        try {
            log.run();
        } finally {
            MDC.remove("task_uuid");
            MDC.remove("step_uuid");
            MDC.remove("correlation_id");
        }
    }

    private static void put(String key, Object value) {
        if (value != null && !String.valueOf(value).isEmpty()) {
            MDC.put(key, String.valueOf(value));
        } else {
            MDC.remove(key);
        }
    }
}

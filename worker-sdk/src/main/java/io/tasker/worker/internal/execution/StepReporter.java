package io.tasker.worker.internal.execution;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.DatabaseException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Stores an attempt's outcome. A report that fails for a passing reason (a dropped connection, a
 * failover) is retried a few times; one the database refuses as a data exception (SQLSTATE class
 * 22) would be refused forever, so it is replaced by a permanent failure carrying the database's
 * message, and the task fails with that reason instead of waiting for the lease to expire.
 */
public final class StepReporter {

    private static final Logger LOG = Logger.getLogger(StepReporter.class);
    private static final int TRANSIENT_RETRIES = 5;

    private final WorkerCalls calls;
    private final ResultCheck check;
    private final MeterRegistry metrics;

    public StepReporter(WorkerCalls calls, ResultCheck check, MeterRegistry metrics) {
        this.calls = calls;
        this.check = check;
        this.metrics = metrics;
    }

    /** Reports and logs the verdict; emits the verdict ({@code accepted}, ...). */
    public Uni<String> report(
            WorkerCalls.Attempt attempt, Report report, String handlerName, StepIds ids) {
        return store(attempt, report)
                .invoke(verdict -> log(verdict, report, handlerName, ids, attempt))
                .onFailure(StepReporter::isDataException)
                .recoverWithUni(
                        refused -> {
                            ids.log(
                                    () ->
                                            LOG.errorf(
                                                    "result_rejected_by_database: %s attempt=%d: the"
                                                            + " database refused the %s report (%s);"
                                                            + " reporting a permanent failure instead",
                                                    ids,
                                                    attempt.attempt(),
                                                    report.outcome(),
                                                    refused.getMessage()));
                            Report fallback =
                                    check.refusedByDatabase(refused.getMessage(), handlerName);
                            return store(attempt, fallback)
                                    .invoke(
                                            verdict ->
                                                    log(
                                                            verdict,
                                                            fallback,
                                                            handlerName,
                                                            ids,
                                                            attempt));
                        });
    }

    private Uni<String> store(WorkerCalls.Attempt attempt, Report report) {
        return calls.report(attempt, report)
                .onFailure(e -> !isDataException(e))
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(2))
                .atMost(TRANSIENT_RETRIES);
    }

    /** SQLSTATE class 22: the values themselves are wrong, so trying again cannot help. */
    static boolean isDataException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DatabaseException db
                    && db.getSqlState() != null
                    && db.getSqlState().startsWith("22")) {
                return true;
            }
        }
        return false;
    }

    private void log(
            String verdict, Report report, String handler, StepIds ids, WorkerCalls.Attempt a) {
        ids.log(
                () -> {
                    switch (verdict) {
                        case "accepted" -> {
                            count(
                                    "tasker_steps_" + metricOutcome(report.outcome()) + "_total",
                                    ids.namespace(),
                                    handler);
                            LOG.debugf(
                                    "%s attempt=%d reported %s",
                                    ids, a.attempt(), report.outcome());
                        }
                        case "rejected" -> {
                            count(
                                    "tasker_steps_late_results_rejected_total",
                                    ids.namespace(),
                                    handler);
                            LOG.warnf(
                                    "late_result_rejected: %s attempt=%d lost its claim before reporting %s",
                                    ids, a.attempt(), report.outcome());
                        }
                        default ->
                                LOG.infof(
                                        "%s attempt=%d result discarded (%s)",
                                        ids, a.attempt(), verdict);
                    }
                });
    }

    private static String metricOutcome(String outcome) {
        return switch (outcome) {
            case "success" -> "succeeded";
            case "retryable_failure" -> "failed_retryable";
            default -> "failed_permanent";
        };
    }

    private void count(String name, String namespace, String handler) {
        metrics.counter(name, "namespace", namespace, "handler", handler).increment();
    }
}

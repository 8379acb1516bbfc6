package io.tasker.worker.internal.config;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The clock the worker reads the time from (step durations, the shutdown drain deadline). A test
 * replaces it with its own {@code Clock} bean to control time.
 */
@Singleton
public class WorkerClock {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }
}

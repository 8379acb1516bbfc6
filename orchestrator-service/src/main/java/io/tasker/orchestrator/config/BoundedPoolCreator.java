package io.tasker.orchestrator.config;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Builds the reactive pool with a bounded wait queue ({@code tasker.db.max-wait-queue-size}), which
 * the Quarkus keys do not offer: under overload a request then fails fast (a 503 over HTTP) instead
 * of queueing without end.
 */
@Singleton
public class BoundedPoolCreator implements PgPoolCreator {

    private final OrchestratorConfig.Db config;

    public BoundedPoolCreator(OrchestratorConfig config) {
        this.config = config.db();
    }

    @Override
    public Pool create(Input input) {
        // No acquisition timeout: with a bounded wait queue, Vert.x 4.5 fails a waiter twice when
        // the queue overflows and the timer fires too ("Result is already complete"), and a timed
        // out getConnection() fails with a bare Throwable that bypasses the exception mappers.
        // The bounded queue alone keeps waits short: it is served first come, first served.
        PoolOptions options =
                new PoolOptions(input.poolOptions())
                        .setMaxWaitQueueSize(config.maxWaitQueueSize())
                        .setConnectionTimeout(0);
        return PgBuilder.pool()
                .with(options)
                .connectingTo(List.<SqlConnectOptions>copyOf(input.pgConnectOptionsList()))
                .using(input.vertx())
                .build();
    }
}

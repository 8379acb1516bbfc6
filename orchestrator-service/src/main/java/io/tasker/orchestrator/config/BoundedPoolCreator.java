package io.tasker.orchestrator.config;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the reactive pool with a bounded wait queue and acquisition timeout ({@code tasker.db.*}),
 * which the Quarkus keys do not offer: under overload a request then fails fast (a 503 over HTTP)
 * instead of queueing without end.
 */
@Singleton
public class BoundedPoolCreator implements PgPoolCreator {

    private final OrchestratorConfig.Db config;

    public BoundedPoolCreator(OrchestratorConfig config) {
        this.config = config.db();
    }

    @Override
    public Pool create(Input input) {
        PoolOptions options =
                new PoolOptions(input.poolOptions())
                        .setMaxWaitQueueSize(config.maxWaitQueueSize())
                        .setConnectionTimeout((int) config.connectionTimeout().toMillis())
                        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
        return PgBuilder.pool()
                .with(options)
                .connectingTo(List.<SqlConnectOptions>copyOf(input.pgConnectOptionsList()))
                .using(input.vertx())
                .build();
    }
}

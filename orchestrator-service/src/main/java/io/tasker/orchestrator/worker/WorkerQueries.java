package io.tasker.orchestrator.worker;

import io.smallrye.mutiny.Uni;
import io.tasker.messages.api.Worker;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.rest.JsonViews;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;

/**
 * The read side of the worker registry ({@code tasker.workers}, written by the workers' presence
 * heartbeats) and its prune. Live and gone follow {@code tasker.workers.live-timeout}.
 */
@ApplicationScoped
public class WorkerQueries {

    // $1 namespace or NULL, $2 live timeout (s), $3 retention (s), $4 limit, $5 the caller's
    // namespaces or NULL for all (a worker is listed when it serves one of them, with only those).
    // Live first, then by id; gone workers older than the retention are not listed even before the
    // prune runs.
    static final String LIST =
            """
            SELECT jsonb_build_object(
                'worker_id', w.worker_id,
                'host', w.host,
                'namespaces', to_jsonb(ARRAY(SELECT n FROM unnest(w.namespaces) n
                                             WHERE $5::text[] IS NULL OR n = ANY($5::text[]))),
                'handlers', to_jsonb(w.handlers),
                'sdk_version', w.sdk_version,
                'status', CASE WHEN w.stopped_at IS NULL
                                    AND w.last_seen_at > now() - make_interval(secs => $2::float8)
                               THEN 'live' ELSE 'gone' END,
                'started_at', w.started_at,
                'last_seen_at', w.last_seen_at,
                'stopped_at', w.stopped_at)::text
              FROM tasker.workers w
             WHERE ($1::text IS NULL OR w.namespaces @> ARRAY[$1::text])
               AND ($5::text[] IS NULL OR w.namespaces && $5::text[])
               AND coalesce(w.stopped_at, w.last_seen_at + make_interval(secs => $2::float8))
                   >= now() - make_interval(secs => $3::float8)
             ORDER BY (w.stopped_at IS NULL
                       AND w.last_seen_at > now() - make_interval(secs => $2::float8)) DESC,
                      w.worker_id
             LIMIT $4::integer
            """;

    // $1 live timeout (s), $2 retention (s)
    private static final String PRUNE = "SELECT tasker.prune_workers($1::float8, $2::float8)";

    private final OrchestratorConfig.Workers config;

    public WorkerQueries(OrchestratorConfig config) {
        this.config = config.workers();
    }

    /**
     * Live and recently gone workers, of {@code namespace} when it is not null, of the namespaces
     * in {@code scope} when it is not null (the caller's).
     */
    public Uni<List<Worker>> listWorkers(
            SqlClient client, String namespace, int limit, List<String> scope) {
        Tuple args =
                Tuple.tuple()
                        .addString(namespace)
                        .addDouble(seconds(config.liveTimeout()))
                        .addDouble(seconds(config.retention()))
                        .addInteger(limit)
                        .addArrayOfString(scope == null ? null : scope.toArray(String[]::new));
        return client.preparedQuery(LIST)
                .execute(args)
                .map(rows -> JsonViews.all(rows, Worker.class));
    }

    /** Deletes the workers gone longer than the retention; how many. */
    public Uni<Integer> callPruneWorkers(SqlClient client) {
        return client.preparedQuery(PRUNE)
                .execute(Tuple.of(seconds(config.liveTimeout()), seconds(config.retention())))
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    /** A duration as the fractional seconds the SQL functions take. */
    public static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}

package io.tasker.worker.presence;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The two registry functions a worker calls: the presence heartbeat and the stop. */
public final class PresenceCalls {

    // $1 worker id, $2 host, $3 namespaces, $4 handler names, $5 SDK version, $6 process start,
    // $7 seconds within which a peer's last heartbeat makes it live. One upsert; the rows are the
    // live peers of a shared namespace with another handler set.
    private static final String HEARTBEAT =
            """
            SELECT worker_id, host, namespaces, handlers, sdk_version
              FROM tasker.worker_heartbeat($1::text, $2::text, $3::text[], $4::text[], $5::text,
                                           $6::timestamptz, $7::integer)
            """;
    // $1 worker id
    private static final String STOPPED = "SELECT tasker.worker_stopped($1::text)";

    private final Pool pool;
    private final int liveSeconds;

    public PresenceCalls(Pool pool, Duration liveTimeout) {
        this.pool = pool;
        this.liveSeconds = (int) Math.max(1, Math.min(86_400, liveTimeout.toSeconds()));
    }

    /** Records or refreshes the worker's row; the conflicting live peers. */
    public Uni<List<Peer>> callHeartbeat(Registration r) {
        Tuple args =
                Tuple.tuple()
                        .addString(r.workerId())
                        .addString(r.host())
                        .addArrayOfString(r.namespaces().toArray(String[]::new))
                        .addArrayOfString(r.handlers().toArray(String[]::new))
                        .addString(r.sdkVersion())
                        .addOffsetDateTime(r.startedAt())
                        .addInteger(liveSeconds);
        return pool.preparedQuery(HEARTBEAT).execute(args).map(PresenceCalls::peers);
    }

    /** Marks the worker stopped; false when no running worker had that id. */
    public Uni<Boolean> callStopped(String workerId) {
        return pool.preparedQuery(STOPPED)
                .execute(Tuple.of(workerId))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    private static List<Peer> peers(Iterable<Row> rows) {
        List<Peer> peers = new ArrayList<>();
        for (Row row : rows) {
            peers.add(
                    new Peer(
                            row.getString("worker_id"),
                            row.getString("host"),
                            Arrays.asList(row.getArrayOfStrings("namespaces")),
                            Arrays.asList(row.getArrayOfStrings("handlers")),
                            row.getString("sdk_version")));
        }
        return peers;
    }
}

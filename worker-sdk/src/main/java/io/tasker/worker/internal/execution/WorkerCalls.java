package io.tasker.worker.internal.execution;

import io.smallrye.mutiny.Uni;
import io.tasker.messages.protocol.ProtocolCodec;
import io.tasker.messages.protocol.StepClaim;
import io.tasker.queue.PgmqClient;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.UUID;

/**
 * The four SQL functions a worker calls and the arguments it passes them: claim, heartbeat, report
 * and archive a poison message. Everything the later calls need to prove they act for the claimed
 * attempt is taken from the claim in {@link #attempt} and carried in {@link Attempt}.
 */
public final class WorkerCalls {

    // $1 step, $2 worker id, $3 lease grace seconds, $4 queue, $5 message id
    private static final String CLAIM =
            "SELECT tasker.claim_step($1::uuid, $2::text, $3::integer, $4::text, $5::bigint)::text";
    // $1 step, $2 claim token, $3 lease seconds (the message claimed is extended with it)
    private static final String HEARTBEAT =
            "SELECT tasker.heartbeat_step($1::uuid, $2::uuid, $3::integer)";
    // $1 step, $2 claim token, $3 outcome, $4 result, $5 error (deletes the message claimed)
    private static final String REPORT =
            """
            SELECT tasker.report_step_result($1::uuid, $2::uuid, $3::text,
                                             $4::text::jsonb, $5::text::jsonb)
            """;
    // $1 queue, $2 message id, $3 reason (the step, if any, is the one the message names)
    private static final String ARCHIVE_POISON =
            "SELECT tasker.archive_poison_message($1::text, $2::bigint, $3::text)";

    /**
     * One claimed attempt of a step. The claim token, created by the claim, is what heartbeat and
     * report prove the claim with.
     */
    public record Attempt(
            UUID stepUuid,
            UUID claimToken,
            int attempt,
            int leaseSeconds,
            String queue,
            long msgId) {}

    private final Pool pool;
    private final PgmqClient queues;
    private final String workerId;
    private final int leaseGraceSeconds;

    public WorkerCalls(Pool pool, String workerId, int leaseGraceSeconds) {
        this.pool = pool;
        this.queues = new PgmqClient(pool);
        this.workerId = workerId;
        this.leaseGraceSeconds = leaseGraceSeconds;
    }

    public String workerId() {
        return workerId;
    }

    /** Claims the step a message names; the answer's {@code status} says whether it was claimed. */
    public Uni<StepClaim> claim(UUID step, String queue, long msgId) {
        return pool.preparedQuery(CLAIM)
                .execute(Tuple.of(step, workerId, leaseGraceSeconds, queue, msgId))
                .map(rows -> ProtocolCodec.decodeClaim(rows.iterator().next().getString(0)));
    }

    /** The attempt a successful claim answer stands for. */
    public static Attempt attempt(StepClaim claim, String queue, long msgId) {
        return new Attempt(
                claim.stepUuid(),
                claim.claimToken(),
                claim.attempt(),
                claim.leaseSeconds(),
                queue,
                msgId);
    }

    /** Extends the attempt's lease; false when the attempt no longer holds the claim. */
    public Uni<Boolean> heartbeat(Attempt a) {
        return pool.preparedQuery(HEARTBEAT)
                .execute(Tuple.of(a.stepUuid(), a.claimToken(), a.leaseSeconds()))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * Stores the attempt's outcome; answers {@code accepted}, {@code rejected} or {@code
     * discarded}.
     */
    public Uni<String> report(Attempt a, Report report) {
        Tuple args =
                Tuple.tuple()
                        .addUUID(a.stepUuid())
                        .addUUID(a.claimToken())
                        .addString(report.outcome())
                        .addString(report.resultJson())
                        .addString(report.errorJson());
        return pool.preparedQuery(REPORT)
                .execute(args)
                .map(rows -> rows.iterator().next().getString(0));
    }

    /** Drops a message whose step is not claimable any more (finished, cancelled, ...). */
    public Uni<Void> deleteMessage(String queue, long msgId) {
        return queues.delete(queue, msgId).replaceWithVoid();
    }

    /** Archives a message that cannot be processed and fails the step it names, if any. */
    public Uni<Void> archivePoison(String queue, long msgId, String reason) {
        return pool.preparedQuery(ARCHIVE_POISON)
                .execute(Tuple.of(queue, msgId, reason))
                .replaceWithVoid();
    }

    /** Host name and process id: unique among the workers of one machine. */
    public static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "worker";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}

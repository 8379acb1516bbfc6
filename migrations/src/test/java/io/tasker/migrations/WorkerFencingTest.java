package io.tasker.migrations;

import static io.tasker.migrations.Sql.INSUFFICIENT_PRIVILEGE;
import static io.tasker.migrations.Sql.queryList;
import static io.tasker.migrations.Sql.queryOne;
import static io.tasker.migrations.Sql.sqlStateOf;
import static io.tasker.migrations.Sql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The worker functions check what they are given: the claim token fences heartbeat and report, the
 * message names the step and lives in the step's namespace queue, and a worker role scoped to some
 * namespaces reaches nothing of the others (V202612020100__claim_tokens_and_worker_scopes.sql).
 */
class WorkerFencingTest {

    private static final String QUEUE_A = "worker_fence_a_queue";
    private static final String QUEUE_B = "worker_fence_b_queue";
    private static final String RESULTS = Workflows.RESULTS;
    private static final String TEMPLATE =
            """
            {"steps": [{"name": "only", "handler": "examples.noop"}]}
            """;

    @RegisterExtension
    static final MigratedSchema FENCE =
            new MigratedSchema("fencing", "fence_a", "single", TEMPLATE);

    private static Connection worker;
    private static UUID templateB;

    @BeforeAll
    static void setUp() throws SQLException {
        Workflows.namespace(FENCE.admin(), "fence_b");
        templateB = Workflows.template(FENCE.admin(), "fence_b", "single", TEMPLATE);
        // Queue A's message ids start far above B's, so an id of A names nothing in B.
        Sql.execute(
                FENCE.admin(),
                "SELECT pgmq.send(?::text, '{}'::jsonb, 0) FROM generate_series(1, 1000)",
                QUEUE_A);
        update(FENCE.admin(), "DELETE FROM pgmq.q_" + QUEUE_A);
        worker = FENCE.logins().login("fence", "tasker_worker");
    }

    // --- claim tokens ------------------------------------------------------------------------

    @Test
    void a_worker_cannot_fail_a_step_it_has_not_claimed() throws SQLException {
        UUID step = step(createTask(FENCE.template()));
        UUID other = step(createTask(FENCE.template()));
        String otherClaim = claim(worker, other, QUEUE_A);

        // Never claimed: neither a made-up token nor another step's token fails it.
        assertThat(report(worker, step, UUID.randomUUID(), "permanent_failure"))
                .isEqualTo("rejected");
        assertThat(report(worker, step, ClaimTokens.of(otherClaim), "permanent_failure"))
                .isEqualTo("rejected");
        assertThat(state(step)).isEqualTo("enqueued");
        assertThat(messageCount(QUEUE_A, step)).isEqualTo(1);

        // Claimed by someone else: a made-up token still changes nothing.
        String claim = claim(worker, step, QUEUE_A);
        assertThat(report(worker, step, UUID.randomUUID(), "permanent_failure"))
                .isEqualTo("rejected");
        assertThat(state(step)).isEqualTo("in_progress");
        assertThat(
                        queryOne(
                                FENCE.admin(),
                                "SELECT count(*) FROM tasker.workflow_step_attempts"
                                        + " WHERE workflow_step_uuid = ? AND outcome IS NULL",
                                Long.class,
                                step))
                .isEqualTo(1L);
        assertThat(noticeCount(step)).isZero();

        // The claim's own token is accepted, and deletes the message it claimed.
        assertThat(report(worker, step, ClaimTokens.of(claim), "permanent_failure"))
                .isEqualTo("accepted");
        assertThat(state(step)).isEqualTo("enqueued_as_error_for_orchestration");
        assertThat(messageCount(QUEUE_A, step)).isZero();
        assertThat(noticeCount(step)).isEqualTo(1);
    }

    @Test
    void a_worker_cannot_heartbeat_with_another_claims_token() throws SQLException {
        UUID first = step(createTask(FENCE.template()));
        UUID second = step(createTask(FENCE.template()));
        UUID firstToken = ClaimTokens.of(claim(worker, first, QUEUE_A));
        UUID secondToken = ClaimTokens.of(claim(worker, second, QUEUE_A));
        String leaseBefore = lease(first);

        assertThat(heartbeat(worker, first, secondToken)).isFalse();
        assertThat(heartbeat(worker, first, UUID.randomUUID())).isFalse();
        assertThat(lease(first)).isEqualTo(leaseBefore);
        assertThat(heartbeat(worker, first, firstToken)).isTrue();
        // The lease is bounded like a step's timeout: 1 to 86400 seconds.
        assertThat(
                        queryOne(
                                worker,
                                "SELECT tasker.heartbeat_step(?::uuid, ?::uuid, 86400)",
                                Boolean.class,
                                first,
                                firstToken))
                .isTrue();
        for (int outOfRange : new int[] {0, 86401}) {
            sqlStateOf(
                            () ->
                                    queryOne(
                                            worker,
                                            "SELECT tasker.heartbeat_step(?::uuid, ?::uuid, ?::integer)",
                                            Boolean.class,
                                            first,
                                            firstToken,
                                            outOfRange))
                    .isEqualTo("22023");
        }

        // Once the lease expired and another worker reclaimed the step, the old token is dead.
        update(
                FENCE.admin(),
                "UPDATE tasker.workflow_steps SET lease_expires_at = now() - interval '1 second'"
                        + " WHERE workflow_step_uuid = ?",
                first);
        UUID reclaimed = ClaimTokens.of(claim(worker, first, QUEUE_A));
        assertThat(reclaimed).isNotNull().isNotEqualTo(firstToken);
        assertThat(heartbeat(worker, first, firstToken)).isFalse();
        assertThat(heartbeat(worker, first, reclaimed)).isTrue();
        assertThat(report(worker, first, firstToken, "success")).isEqualTo("rejected");
        assertThat(
                        queryList(
                                FENCE.admin(),
                                "SELECT outcome FROM tasker.workflow_step_attempts"
                                        + " WHERE workflow_step_uuid = ? ORDER BY attempt",
                                first))
                .containsExactly("rejected_late", null);
    }

    @Test
    void report_with_an_unknown_step_deletes_nothing() throws SQLException {
        UUID step = step(createTask(FENCE.template()));
        String claim = claim(worker, step, QUEUE_A);
        UUID done = step(createTask(FENCE.template()));
        assertThat(report(worker, done, ClaimTokens.of(claim(worker, done, QUEUE_A)), "success"))
                .isEqualTo("accepted");
        long workerMessages =
                queryOne(FENCE.admin(), "SELECT count(*) FROM pgmq.q_" + QUEUE_A, Long.class);
        long notices =
                queryOne(FENCE.admin(), "SELECT count(*) FROM pgmq.q_" + RESULTS, Long.class);
        long transitions =
                queryOne(
                        FENCE.admin(),
                        "SELECT count(*) FROM tasker.workflow_step_transitions",
                        Long.class);

        assertThat(report(worker, UUID.randomUUID(), ClaimTokens.of(claim), "success"))
                .isEqualTo("rejected");
        assertThat(report(worker, UUID.randomUUID(), UUID.randomUUID(), "permanent_failure"))
                .isEqualTo("rejected");

        assertThat(queryOne(FENCE.admin(), "SELECT count(*) FROM pgmq.q_" + QUEUE_A, Long.class))
                .isEqualTo(workerMessages);
        assertThat(queryOne(FENCE.admin(), "SELECT count(*) FROM pgmq.q_" + RESULTS, Long.class))
                .isEqualTo(notices);
        assertThat(noticeCount(done)).isEqualTo(1);
        assertThat(
                        queryOne(
                                FENCE.admin(),
                                "SELECT count(*) FROM tasker.workflow_step_transitions",
                                Long.class))
                .isEqualTo(transitions);
        assertThat(state(step)).isEqualTo("in_progress");
    }

    @Test
    void a_claim_needs_the_message_that_names_the_step_in_the_steps_namespace_queue()
            throws SQLException {
        UUID a = step(createTask(FENCE.template()));
        UUID b = step(createTask(templateB));
        long messageOfA = messageId(QUEUE_A, a);
        // A's message does not name B's step.
        sqlStateOf(() -> Workflows.claim(worker, b, "w", QUEUE_A, messageOfA)).isEqualTo("22023");
        // A message in A's queue that names B's step does not claim it.
        long forged = forge(QUEUE_A, b);
        sqlStateOf(() -> Workflows.claim(worker, b, "w", QUEUE_A, forged))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
        // An id that is no message of the queue claims nothing.
        assertThat(
                        queryOne(
                                worker,
                                "SELECT tasker.claim_step(?::uuid, 'w', 5, ?::text, -1)->>'reason'",
                                String.class,
                                a,
                                QUEUE_A))
                .isEqualTo("message_not_found");
        assertThat(state(a)).isEqualTo("enqueued");
        assertThat(state(b)).isEqualTo("enqueued");
        update(FENCE.admin(), "DELETE FROM pgmq.q_" + QUEUE_A + " WHERE msg_id = ?", forged);
    }

    @Test
    void archive_poison_message_only_for_the_queue_the_message_is_in() throws SQLException {
        UUID a = step(createTask(FENCE.template()));
        long messageOfA = messageId(QUEUE_A, a);
        assertThat(
                        queryOne(
                                FENCE.admin(),
                                "SELECT count(*) FROM pgmq.q_" + QUEUE_B + " WHERE msg_id = ?",
                                Long.class,
                                messageOfA))
                .isZero();

        // Named with the wrong queue, A's message is not found there: nothing is archived.
        assertThat(archive(worker, QUEUE_B, messageOfA)).isFalse();
        assertThat(messageCount(QUEUE_A, a)).isEqualTo(1);
        assertThat(state(a)).isEqualTo("enqueued");

        // A message of A's queue naming B's step is archived, but B's step is not touched.
        UUID b = step(createTask(templateB));
        long forged = forge(QUEUE_A, b);
        assertThat(archive(worker, QUEUE_A, forged)).isFalse();
        assertThat(state(b)).isEqualTo("enqueued");
        assertThat(
                        queryOne(
                                FENCE.admin(),
                                "SELECT count(*) FROM pgmq.a_" + QUEUE_A + " WHERE msg_id = ?",
                                Long.class,
                                forged))
                .isEqualTo(1L);

        // A worker never archives a result notice; the orchestrator may, without failing a step.
        UUID reported = step(createTask(FENCE.template()));
        assertThat(
                        report(
                                worker,
                                reported,
                                ClaimTokens.of(claim(worker, reported, QUEUE_A)),
                                "success"))
                .isEqualTo("accepted");
        long notice =
                queryOne(
                        FENCE.admin(),
                        "SELECT msg_id FROM pgmq.q_" + RESULTS + " WHERE message->>'step_uuid' = ?",
                        Long.class,
                        reported.toString());
        sqlStateOf(() -> archive(worker, RESULTS, notice)).isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(noticeCount(reported)).isEqualTo(1);
        assertThat(archive(FENCE.admin(), RESULTS, notice)).isFalse();
        assertThat(noticeCount(reported)).isZero();
        assertThat(state(reported)).isEqualTo("enqueued_for_orchestration");

        // The right queue: archived, and the step it names fails.
        assertThat(archive(worker, QUEUE_A, messageOfA)).isTrue();
        assertThat(state(a)).isEqualTo("enqueued_as_error_for_orchestration");
    }

    // --- namespace scopes ----------------------------------------------------------------------

    @Test
    void a_worker_of_one_namespace_cannot_touch_another() throws SQLException {
        String group = "fence_a_workers_" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(
                        queryOne(
                                FENCE.admin(),
                                "SELECT array_to_string(tasker.grant_worker_namespaces(?::name, ARRAY['fence_a', 'fence_later']), ',')",
                                String.class,
                                group))
                .isEqualTo("fence_a,fence_later");
        FENCE.logins().track(group);
        try (Connection scoped = FENCE.logins().login("fence", group)) {
            UUID a = step(createTask(FENCE.template()));
            UUID b = step(createTask(templateB));
            long messageOfB = messageId(QUEUE_B, b);
            // B's step is running under the all-namespaces worker, so its token exists.
            UUID tokenOfB = ClaimTokens.of(claim(worker, b, QUEUE_B));

            // Namespace A: read, claim, heartbeat and report.
            List<String> read =
                    queryList(
                            scoped,
                            "SELECT message->>'step_uuid' FROM pgmq.read(?::text, 30, 1000)",
                            QUEUE_A);
            assertThat(read).contains(a.toString());
            String claim = claim(scoped, a, QUEUE_A);
            assertThat(claim).contains("\"status\": \"claimed\"");
            assertThat(heartbeat(scoped, a, ClaimTokens.of(claim))).isTrue();
            assertThat(report(scoped, a, ClaimTokens.of(claim), "success")).isEqualTo("accepted");

            // Namespace B: nothing.
            assertRefused(
                    scoped, "SELECT count(*) FROM pgmq.read('" + QUEUE_B + "'::text, 30, 10)");
            assertRefused(
                    scoped,
                    "SELECT tasker.claim_step(?::uuid, 'w', 5, ?::text, ?::bigint)::text",
                    b,
                    QUEUE_B,
                    messageOfB);
            assertRefused(
                    scoped, "SELECT tasker.heartbeat_step(?::uuid, ?::uuid, 60)", b, tokenOfB);
            assertRefused(
                    scoped,
                    "SELECT tasker.report_step_result(?::uuid, ?::uuid, 'permanent_failure', NULL, '{}'::jsonb)",
                    b,
                    tokenOfB);
            assertRefused(
                    scoped,
                    "SELECT tasker.archive_poison_message(?::text, ?::bigint, 'x')",
                    QUEUE_B,
                    messageOfB);
            assertRefused(scoped, "SELECT tasker.ensure_queue('worker_fence_c_queue')");
            assertRefused(scoped, "SELECT tasker.ensure_queue('bench_raw')");
            assertRefused(scoped, "SELECT count(*) FROM tasker.tasks");
            assertThat(state(b)).isEqualTo("in_progress");
            assertThat(messageCount(QUEUE_B, b)).isEqualTo(1);

            // A queue of its namespace created later is granted to it.
            Sql.execute(scoped, "SELECT tasker.ensure_queue('worker_fence_later_queue')");
            long sent =
                    queryOne(
                            scoped,
                            "SELECT * FROM pgmq.send('worker_fence_later_queue'::text, '{}'::jsonb, 0)",
                            Long.class);
            assertThat(
                            queryOne(
                                    scoped,
                                    "SELECT msg_id FROM pgmq.read('worker_fence_later_queue'::text, 30, 1)",
                                    Long.class))
                    .isEqualTo(sent);
        }

        // Narrowing the scope revokes the queue of the namespace dropped.
        assertThat(
                        queryOne(
                                FENCE.admin(),
                                "SELECT array_to_string(tasker.grant_worker_namespaces(?::name, ARRAY['fence_later']), ',')",
                                String.class,
                                group))
                .isEqualTo("fence_later");
        try (Connection narrowed = FENCE.logins().login("fence", group)) {
            assertRefused(
                    narrowed, "SELECT count(*) FROM pgmq.read('" + QUEUE_A + "'::text, 30, 1)");
        }
    }

    @Test
    void a_role_of_the_all_namespaces_group_cannot_be_scoped() throws SQLException {
        String role = "fence_all_" + UUID.randomUUID().toString().substring(0, 8);
        update(FENCE.admin(), "CREATE ROLE \"" + role + "\" NOLOGIN IN ROLE tasker_worker");
        FENCE.logins().track(role);
        assertThatThrownBy(
                        () ->
                                queryOne(
                                        FENCE.admin(),
                                        "SELECT tasker.grant_worker_namespaces(?::name, ARRAY['fence_a'])",
                                        String.class,
                                        role))
                .hasMessageContaining("scoped_role_has_all_namespaces");
        assertThat(
                        queryOne(
                                FENCE.admin(),
                                "SELECT count(*) FROM tasker.worker_namespace_scopes WHERE role_name = ?",
                                Long.class,
                                role))
                .isZero();
    }

    // --- helpers -----------------------------------------------------------------------------

    private static void assertRefused(Connection c, String sql, Object... args) {
        sqlStateOf(() -> queryOne(c, sql, String.class, args)).isEqualTo(INSUFFICIENT_PRIVILEGE);
    }

    /** Sends a message naming {@code step} to {@code queue}, as the worker; its id. */
    private static long forge(String queue, UUID step) throws SQLException {
        return queryOne(
                worker,
                "SELECT * FROM pgmq.send(?::text, jsonb_build_object('step_uuid', ?::text), 0)",
                Long.class,
                queue,
                step.toString());
    }

    private static UUID createTask(UUID template) throws SQLException {
        return Workflows.createTask(FENCE.admin(), template);
    }

    private static UUID step(UUID task) throws SQLException {
        return Workflows.step(FENCE.admin(), task, "only");
    }

    private static long messageId(String queue, UUID step) throws SQLException {
        return Workflows.newestMessage(FENCE.admin(), queue, step);
    }

    private static long messageCount(String queue, UUID step) throws SQLException {
        return Workflows.messageCount(FENCE.admin(), queue, step);
    }

    private static long noticeCount(UUID step) throws SQLException {
        return messageCount(RESULTS, step);
    }

    private static String claim(Connection c, UUID step, String queue) throws SQLException {
        return Workflows.claim(FENCE.admin(), c, step, "w", queue);
    }

    private static boolean heartbeat(Connection c, UUID step, UUID token) throws SQLException {
        return Workflows.heartbeat(c, step, token);
    }

    private static String report(Connection c, UUID step, UUID token, String outcome)
            throws SQLException {
        return Workflows.report(c, step, token, outcome, "{\"v\": 1}", "{\"message\": \"boom\"}");
    }

    private static boolean archive(Connection c, String queue, long msgId) throws SQLException {
        return queryOne(
                c,
                "SELECT tasker.archive_poison_message(?::text, ?::bigint, 'poison')",
                Boolean.class,
                queue,
                msgId);
    }

    private static String state(UUID step) throws SQLException {
        return Workflows.stepState(FENCE.admin(), step);
    }

    private static String lease(UUID step) throws SQLException {
        return queryOne(
                FENCE.admin(),
                "SELECT lease_expires_at::text FROM tasker.workflow_steps WHERE workflow_step_uuid = ?",
                String.class,
                step);
    }
}

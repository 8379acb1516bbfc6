package io.tasker.orchestrator;

import static io.tasker.orchestrator.ApiCalls.postJson;
import static io.tasker.orchestrator.ApiCalls.taskStatus;
import static io.tasker.orchestrator.template.Templates.oneStep;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.lifecycle.ResultConsumer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The result consumer across a rolling upgrade: a notice of the previous release (no
 * format_version) completes its step like a new one, and a notice of a newer format is left in the
 * queue, warned about once however often it is read.
 */
@QuarkusTest
@TestProfile(ResultNoticeFormatTest.ShortVisibility.class)
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class ResultNoticeFormatTest {

    private static final String NS = "notice_format";
    private static final String QUEUE = "worker_" + NS + "_queue";
    private static final String RESULTS = "orchestration_step_results";

    /** Notices come back one second after a read, so a left notice is read again quickly. */
    public static class ShortVisibility extends ConfigProfile {}

    @Test
    void a_notice_of_the_previous_release_completes_the_task_like_a_new_one() throws SQLException {
        registerTemplate();
        String v1Task = createTask(1);
        String v0Task = createTask(2);
        reportSuccess(v1Task, notice -> notice);
        reportSuccess(
                v0Task,
                notice -> {
                    // The previous release's notice, field for field: no format_version.
                    notice.remove("format_version");
                    return notice;
                });
        for (String task : List.of(v1Task, v0Task)) {
            Awaitility.await("task " + task + " complete")
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(taskStatus(task)).isEqualTo("complete"));
        }
    }

    @Test
    void a_notice_of_a_newer_format_stays_in_the_queue_and_is_warned_about_once()
            throws SQLException {
        registerTemplate();
        String task = createTask(3);
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture =
                new Handler() {
                    @Override
                    public void publish(LogRecord record) {
                        if (record.getMessage() != null
                                && record.getMessage().startsWith("unsupported_message_format")) {
                            warnings.add(record.getMessage());
                        }
                    }

                    @Override
                    public void flush() {}

                    @Override
                    public void close() {}
                };
        Logger logger = Logger.getLogger(ResultConsumer.class.getName());
        logger.addHandler(capture);
        try {
            long msgId =
                    reportSuccess(
                            task,
                            notice -> {
                                notice.put("format_version", 99);
                                notice.put("added_later", true);
                                return notice;
                            });
            Awaitility.await("the notice read three times")
                    .atMost(Duration.ofSeconds(30))
                    .until(
                            () ->
                                    Sql.count(
                                                    "SELECT read_ct FROM pgmq.q_"
                                                            + RESULTS
                                                            + " WHERE msg_id = "
                                                            + msgId)
                                            >= 3);
            assertThat(warnings)
                    .containsExactly(
                            "unsupported_message_format: queue="
                                    + RESULTS
                                    + " msg_id="
                                    + msgId
                                    + " format_version=99 (this release reads up to 1); left in"
                                    + " the queue for a newer peer");
            assertThat(
                            Sql.count(
                                    "SELECT count(*) FROM pgmq.a_"
                                            + RESULTS
                                            + " WHERE msg_id = "
                                            + msgId))
                    .isZero();
            assertThat(taskStatus(task)).isNotIn("complete", "error");
            assertThat(
                            Sql.count(
                                    "SELECT count(*) FROM tasker.workflow_steps WHERE task_uuid = '"
                                            + task
                                            + "' AND current_state = 'enqueued_for_orchestration'"))
                    .isEqualTo(1);
            Sql.count("SELECT count(*) FROM pgmq.delete('" + RESULTS + "', " + msgId + "::bigint)");
        } finally {
            logger.removeHandler(capture);
        }
    }

    // --- a worker, by hand ---------------------------------------------------------------------

    private static boolean registered;

    private static synchronized void registerTemplate() {
        if (registered) {
            return;
        }
        postJson("/v1/templates", oneStep(NS, "one_step")).statusCode(201);
        registered = true;
    }

    private static String createTask(int n) {
        return postJson(
                        "/v1/tasks",
                        "{\"namespace\": \""
                                + NS
                                + "\", \"name\": \"one_step\", \"context\": {\"n\": "
                                + n
                                + "}, \"idempotency_key\": \""
                                + java.util.UUID.randomUUID()
                                + "\"}")
                .statusCode(201)
                .extract()
                .path("task_uuid");
    }

    /**
     * Claims and reports the task's only step as a worker does and, in the same transaction,
     * replaces the notice the report sent with {@code rewrite} of it (so the consumer never sees
     * the original). Returns the replacement's msg_id.
     */
    private static long reportSuccess(
            String task, java.util.function.UnaryOperator<ObjectNode> rewrite) throws SQLException {
        try (Connection c = DatabaseResource.database.connect()) {
            c.setAutoCommit(false);
            String step =
                    one(
                            c,
                            "SELECT workflow_step_uuid::text FROM tasker.workflow_steps WHERE task_uuid = ?::uuid",
                            task);
            String msgId =
                    one(
                            c,
                            "SELECT msg_id::text FROM pgmq.q_"
                                    + QUEUE
                                    + " WHERE message->>'step_uuid' = ?",
                            step);
            JsonNode claim =
                    JsonSupport.parse(
                            one(
                                    c,
                                    "SELECT tasker.claim_step(?::uuid, 'by-hand', 10, '"
                                            + QUEUE
                                            + "', "
                                            + msgId
                                            + "::bigint)::text",
                                    step));
            assertThat(claim.get("status").asText()).isEqualTo("claimed");
            assertThat(
                            one(
                                    c,
                                    "SELECT tasker.report_step_result(?::uuid, '"
                                            + claim.get("claim_token").asText()
                                            + "'::uuid, 'success', '{\"done\": true}', NULL)",
                                    step))
                    .isEqualTo("accepted");
            String noticeId =
                    one(
                            c,
                            "SELECT msg_id::text FROM pgmq.q_"
                                    + RESULTS
                                    + " WHERE message->>'step_uuid' = ?",
                            step);
            ObjectNode notice =
                    (ObjectNode)
                            JsonSupport.parse(
                                    one(
                                            c,
                                            "SELECT message::text FROM pgmq.q_"
                                                    + RESULTS
                                                    + " WHERE msg_id = "
                                                    + noticeId));
            assertThat(notice.get("format_version").asInt()).isEqualTo(1);
            one(c, "SELECT pgmq.delete('" + RESULTS + "', " + noticeId + "::bigint)::text");
            long replacement =
                    Long.parseLong(
                            one(
                                    c,
                                    "SELECT pgmq.send('" + RESULTS + "', ?::jsonb)::text",
                                    JsonSupport.write(rewrite.apply(notice))));
            c.commit();
            return replacement;
        }
    }

    private static String one(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as(sql).isTrue();
                return rs.getString(1);
            }
        }
    }
}

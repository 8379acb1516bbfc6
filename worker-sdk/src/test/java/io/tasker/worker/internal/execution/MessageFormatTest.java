package io.tasker.worker.internal.execution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.protocol.MessageFormat;
import io.tasker.messages.protocol.ProtocolCodec;
import io.tasker.queue.QueueMessage;
import io.tasker.worker.LogCapture;
import io.tasker.worker.ProtocolSchemas;
import io.tasker.worker.StepResult;
import io.tasker.worker.TestHandlers;
import io.tasker.worker.WorkerTestBed;
import io.tasker.worker.internal.handler.RegisteredHandler;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Message format versions across a rolling upgrade: what the SQL functions write satisfies the
 * protocol schemas of this format and of the previous one (format 0, before versioning), a step
 * message of the previous release is processed exactly like a new one, and a message of a newer
 * format stays in its queue for a newer worker.
 */
class MessageFormatTest {

    private static final String NS = "format_ns";
    private static final String QUEUE = WorkerTestBed.queue(NS);
    private static final String RESULTS = "orchestration_step_results";

    private static WorkerTestBed bed;
    private static UUID template;

    @BeforeAll
    static void start() {
        bed = new WorkerTestBed("message format");
        template =
                bed.registerTemplate(
                        NS,
                        "formats",
                        """
                        [{"name": "first", "handler": "test.echo", "timeout_seconds": 5},
                         {"name": "second", "handler": "test.echo", "depends_on": ["first"],
                          "retry": {"max_attempts": 1}}]
                        """);
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    @Test
    void messages_written_by_the_sql_functions_satisfy_the_schemas_of_both_formats() {
        UUID task = bed.createTask(template, "{\"n\": 7}");
        QueueMessage message = only(bed.read(QUEUE, 10), task);
        String stepMessage = message.message().encode();
        assertThat(JsonSupport.parse(stepMessage).get("format_version").asInt())
                .isEqualTo(MessageFormat.CURRENT);
        assertValid("step-message.schema.json", stepMessage);
        assertValid("step-message.v0.schema.json", stepMessage);

        String step = stepUuid(task, "first");
        String claimed = claim(step, message.msgId());
        assertThat(JsonSupport.parse(claimed).get("status").asText()).isEqualTo("claimed");
        assertValid("step-claim.schema.json", claimed);
        // What the handler sees is the claim's step context, deadline included.
        String context =
                ProtocolCodec.write(
                        ProtocolCodec.decodeClaim(claimed)
                                .context(Instant.parse("2026-12-02T10:00:00Z")));
        assertValid("step-context.schema.json", context);

        String busy =
                bed.string("SELECT pgmq.set_vt(?, ?::bigint, 0)::text", QUEUE, message.msgId());
        assertThat(busy).isNotNull();
        String busyAnswer = claim(step, message.msgId());
        assertThat(JsonSupport.parse(busyAnswer).get("status").asText()).isEqualTo("busy");
        assertValid("step-claim.schema.json", busyAnswer);

        String token = JsonSupport.parse(claimed).get("claim_token").asText();
        assertThat(
                        bed.string(
                                "SELECT tasker.report_step_result(?::uuid, ?::uuid, 'success', '{\"n\": 7}', NULL)",
                                step,
                                token))
                .isEqualTo("accepted");
        String notice = notice(step);
        assertThat(JsonSupport.parse(notice).get("format_version").asInt())
                .isEqualTo(MessageFormat.CURRENT);
        assertValid("result-notice.schema.json", notice);
        assertValid("result-notice.v0.schema.json", notice);

        String gone = claim(step, message.msgId());
        assertThat(JsonSupport.parse(gone).get("reason").asText()).isEqualTo("message_not_found");
        assertValid("step-claim.schema.json", gone);
    }

    @Test
    void notices_of_lost_last_leases_and_of_poison_messages_carry_the_format_too() {
        UUID task = bed.createTask(template, "{\"n\": 8}");
        completeFirst(task);
        // "second" has one attempt: claimed, its lease lost, then claimed again.
        QueueMessage second = only(bed.read(QUEUE, 10), task);
        String step = stepUuid(task, "second");
        assertThat(JsonSupport.parse(claim(step, second.msgId())).get("status").asText())
                .isEqualTo("claimed");
        bed.string(
                "UPDATE tasker.workflow_steps SET lease_expires_at = now() - interval '1 second'"
                        + " WHERE workflow_step_uuid = ?::uuid RETURNING 1",
                step);
        String exhausted = claim(step, second.msgId());
        assertThat(JsonSupport.parse(exhausted).get("reason").asText())
                .isEqualTo("attempts_exhausted");
        assertValid("step-claim.schema.json", exhausted);
        String lost = notice(step);
        assertValid("result-notice.schema.json", lost);
        assertValid("result-notice.v0.schema.json", lost);
        assertThat(JsonSupport.parse(lost).get("outcome").asText()).isEqualTo("failure");

        UUID other = bed.createTask(template, "{\"n\": 9}");
        QueueMessage poison = only(bed.read(QUEUE, 10), other);
        assertThat(
                        bed.string(
                                "SELECT tasker.archive_poison_message(?, ?::bigint, 'test')::text",
                                QUEUE,
                                poison.msgId()))
                .isEqualTo("true");
        String poisoned = notice(stepUuid(other, "first"));
        assertValid("result-notice.schema.json", poisoned);
        assertValid("result-notice.v0.schema.json", poisoned);
    }

    @Test
    void a_step_message_of_the_previous_release_is_processed_like_a_new_one() {
        AtomicReference<Integer> seenAttempt = new AtomicReference<>();
        RegisteredHandler echo =
                TestHandlers.named(
                        "test.echo",
                        ctx -> {
                            seenAttempt.set(ctx.attempt());
                            return StepResult.success(ctx.context());
                        });
        StepPipeline pipeline = bed.executor(WorkerTestBed.Config.of(NS), 1, echo);

        UUID current = bed.createTask(template, "{\"n\": 10}");
        UUID previous = bed.createTask(template, "{\"n\": 11}");
        List<QueueMessage> messages = bed.read(QUEUE, 10);
        QueueMessage currentMessage = only(messages, current);
        // The previous release's step_message, field for field, and no format_version.
        QueueMessage original = only(messages, previous);
        bed.string("SELECT pgmq.delete(?, ?::bigint)::text", QUEUE, original.msgId());
        ObjectNode old = JsonSupport.object();
        for (String field :
                List.of(
                        "task_uuid",
                        "step_uuid",
                        "correlation_id",
                        "namespace",
                        "step_name",
                        "attempt",
                        "enqueued_at")) {
            old.set(field, JsonSupport.parse(original.message().encode()).get(field));
        }
        assertValid("step-message.v0.schema.json", JsonSupport.write(old));
        bed.string("SELECT pgmq.send(?, ?::jsonb)::text", QUEUE, JsonSupport.write(old));
        QueueMessage previousMessage = only(bed.read(QUEUE, 10), previous);
        assertThat(previousMessage.message().containsKey("format_version")).isFalse();

        for (QueueMessage m : List.of(currentMessage, previousMessage)) {
            assertThat(pipeline.slots().tryReserve(1)).isEqualTo(1);
            pipeline.execute(QUEUE, NS, m).await().atMost(WorkerTestBed.TIMEOUT);
            assertThat(seenAttempt.get()).isEqualTo(1);
        }
        for (UUID task : List.of(current, previous)) {
            assertThat(bed.stepField(task, "first", "current_state"))
                    .isEqualTo("enqueued_for_orchestration");
            assertThat(bed.stepField(task, "first", "results"))
                    .isEqualTo(
                            bed.string(
                                    "SELECT context::text FROM tasker.tasks WHERE task_uuid = ?::uuid",
                                    task.toString()));
            processNotice(stepUuid(task, "first"));
            assertThat(bed.stepField(task, "first", "current_state")).isEqualTo("complete");
        }
        // Both go on to the second step, and both tasks complete the same way.
        List<QueueMessage> next = bed.read(QUEUE, 10);
        for (UUID task : List.of(current, previous)) {
            assertThat(pipeline.slots().tryReserve(1)).isEqualTo(1);
            pipeline.execute(QUEUE, NS, only(next, task)).await().atMost(WorkerTestBed.TIMEOUT);
            processNotice(stepUuid(task, "second"));
            assertThat(
                            bed.string(
                                    "SELECT current_state FROM tasker.tasks WHERE task_uuid = ?::uuid",
                                    task.toString()))
                    .isEqualTo("complete");
        }
    }

    @Test
    void a_step_message_of_a_newer_format_stays_in_the_queue_and_is_warned_about_once() {
        RegisteredHandler echo =
                TestHandlers.named("test.echo", ctx -> StepResult.success(ctx.context()));
        StepPipeline pipeline = bed.executor(WorkerTestBed.Config.of(NS), 1, echo);
        UUID task = bed.createTask(template, "{\"n\": 12}");
        QueueMessage original = only(bed.read(QUEUE, 10), task);
        bed.string("SELECT pgmq.delete(?, ?::bigint)::text", QUEUE, original.msgId());
        ObjectNode newer = (ObjectNode) JsonSupport.parse(original.message().encode());
        newer.put("format_version", 99);
        newer.put("something_new", "only a newer worker knows");
        long msgId =
                Long.parseLong(
                        bed.string(
                                "SELECT pgmq.send(?, ?::jsonb)::text",
                                QUEUE,
                                JsonSupport.write(newer)));

        try (LogCapture log = LogCapture.of(StepPipeline.class)) {
            for (int read = 1; read <= 3; read++) {
                QueueMessage m = only(bed.read(QUEUE, 10), task);
                assertThat(m.msgId()).isEqualTo(msgId);
                assertThat(m.readCt()).isEqualTo(read);
                assertThat(pipeline.slots().tryReserve(1)).isEqualTo(1);
                pipeline.execute(QUEUE, NS, m).await().atMost(WorkerTestBed.TIMEOUT);
                bed.string("SELECT pgmq.set_vt(?, ?::bigint, 0)::text", QUEUE, msgId);
            }
            assertThat(log.lines().stream().filter(l -> l.contains("unsupported_message_format")))
                    .containsExactly(
                            "unsupported_message_format: queue="
                                    + QUEUE
                                    + " msg_id="
                                    + msgId
                                    + " format_version=99 (this release reads up to 1); left in"
                                    + " the queue for a newer peer");
        }
        assertThat(bed.count("SELECT count(*) FROM pgmq.q_" + QUEUE + " WHERE msg_id = ?", msgId))
                .isEqualTo(1);
        assertThat(bed.count("SELECT count(*) FROM pgmq.a_" + QUEUE + " WHERE msg_id = ?", msgId))
                .isZero();
        assertThat(bed.stepField(task, "first", "current_state")).isEqualTo("enqueued");
        assertThat(pipeline.inFlight()).isZero();
        bed.string("SELECT pgmq.delete(?, ?::bigint)::text", QUEUE, msgId);
    }

    // --- helpers --------------------------------------------------------------------------------

    private static void assertValid(String schema, String json) {
        assertThat(ProtocolSchemas.problems(schema, json)).as(schema + ": " + json).isEmpty();
    }

    private static QueueMessage only(List<QueueMessage> messages, UUID task) {
        List<QueueMessage> mine =
                messages.stream()
                        .filter(m -> task.toString().equals(m.message().getString("task_uuid")))
                        .toList();
        assertThat(mine).hasSize(1);
        return mine.get(0);
    }

    private static String stepUuid(UUID task, String name) {
        return bed.string(
                "SELECT workflow_step_uuid::text FROM tasker.workflow_steps WHERE task_uuid = ?::uuid AND name = ?",
                task.toString(),
                name);
    }

    private static String claim(String step, long msgId) {
        return bed.string(
                "SELECT tasker.claim_step(?::uuid, 'format-test', 10, ?, ?::bigint)::text",
                step,
                QUEUE,
                msgId);
    }

    /** The notice of {@code step} in orchestration_step_results (exactly one). */
    private static String notice(String step) {
        List<String> notices =
                bed.strings(
                        "SELECT message::text FROM pgmq.q_"
                                + RESULTS
                                + " WHERE message->>'step_uuid' = ?",
                        step);
        assertThat(notices).hasSize(1);
        return notices.get(0);
    }

    /** What the orchestrator does with a notice: process the step's result and delete it. */
    private static void processNotice(String step) {
        long msgId =
                bed.count(
                        "SELECT msg_id FROM pgmq.q_" + RESULTS + " WHERE message->>'step_uuid' = ?",
                        step);
        JsonNode outcome =
                JsonSupport.parse(
                        bed.string(
                                "SELECT tasker.process_step_result(?::uuid, ?::bigint)::text",
                                step,
                                msgId));
        assertThat(outcome.get("action").asText()).isEqualTo("completed");
    }

    private static void completeFirst(UUID task) {
        QueueMessage first = only(bed.read(QUEUE, 10), task);
        String step = stepUuid(task, "first");
        String token = JsonSupport.parse(claim(step, first.msgId())).get("claim_token").asText();
        bed.string(
                "SELECT tasker.report_step_result(?::uuid, ?::uuid, 'success', '{}', NULL)",
                step,
                token);
        processNotice(step);
    }
}

package io.tasker.messages.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.node.NullNode;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.StepState;
import io.tasker.messages.TaskState;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ApiRecordsTest {

    /** A mapper with no modules and default settings, as a client might have. */
    private static final ObjectMapper PLAIN = new ObjectMapper();

    static Stream<Arguments> samples() {
        return Stream.of(
                Arguments.of("task.json", Task.class),
                Arguments.of("task-page.json", TaskPage.class),
                Arguments.of("step-list.json", StepList.class),
                Arguments.of("transitions.json", Transitions.class),
                Arguments.of("template-list.json", TemplateList.class),
                Arguments.of("template.json", Template.class),
                Arguments.of("template-registration.json", TemplateRegistration.class),
                Arguments.of("dlq-list.json", DlqList.class),
                Arguments.of("dlq-entry.json", DlqEntry.class),
                Arguments.of("queue-list.json", QueueList.class),
                Arguments.of("worker-list.json", WorkerList.class),
                Arguments.of("problem.json", Problem.class),
                Arguments.of("problem-with-errors.json", Problem.class),
                Arguments.of("create-task-request.json", CreateTaskRequest.class),
                Arguments.of("step-action-request.json", StepActionRequest.class),
                Arguments.of("dlq-resolution-request.json", DlqResolutionRequest.class),
                Arguments.of("created-api-key.json", CreatedApiKey.class),
                Arguments.of("api-key-list.json", ApiKeyList.class),
                Arguments.of("create-api-key-request.json", CreateApiKeyRequest.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void every_record_writes_back_the_json_it_was_read_from(String sample, Class<?> type)
            throws IOException {
        String json = sample(sample);
        JsonNode expected = JsonSupport.MAPPER.readTree(json);

        Object record = JsonSupport.MAPPER.readValue(json, type);
        JsonNode written =
                JsonSupport.MAPPER.readTree(JsonSupport.MAPPER.writeValueAsString(record));

        assertThat(written).isEqualTo(expected);
        // Text-for-text too: timestamps and numbers keep their exact form.
        assertThat(JsonSupport.canonical(written)).isEqualTo(JsonSupport.canonical(expected));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void a_mapper_without_modules_reads_and_writes_the_records_the_same(
            String sample, Class<?> type) throws IOException {
        String json = sample(sample);
        Object record = PLAIN.readValue(json, type);

        assertThat(JsonSupport.canonical(PLAIN.readTree(PLAIN.writeValueAsString(record))))
                .isEqualTo(JsonSupport.canonical(PLAIN.readTree(json)));
    }

    @Test
    void task_fields_are_typed() throws IOException {
        Task task = JsonSupport.MAPPER.readValue(sample("task.json"), Task.class);

        assertThat(task.summary().taskUuid())
                .isEqualTo(UUID.fromString("0192a4f0-6c1e-7b3a-9d2e-3f4a5b6c7d8e"));
        assertThat(task.summary().status()).isEqualTo(TaskState.STEPS_IN_PROCESS);
        assertThat(task.summary().tags()).containsExactly("web");
        assertThat(task.summary().createdAt())
                .isEqualTo(OffsetDateTime.of(2026, 12, 2, 10, 0, 0, 123_456_000, ZoneOffset.UTC));
        assertThat(task.summary().completedAt()).isNull();
        assertThat(task.context().get("order_id").asInt()).isEqualTo(42);
        assertThat(task.executionSummary().totalSteps()).isEqualTo(2);
        assertThat(task.executionSummary().executionStatus()).isEqualTo("waiting_for_retry");

        Step validate = task.step("validate_order").orElseThrow();
        assertThat(validate.status()).isEqualTo(StepState.COMPLETE);
        assertThat(validate.results().get("total").decimalValue())
                .isEqualTo(new BigDecimal("12.50"));
        assertThat(validate.results().get("big").bigIntegerValue())
                .isEqualTo(new BigInteger("123456789012345678901234567890"));
        assertThat(validate.attemptHistory())
                .singleElement()
                .satisfies(a -> assertThat(a.outcome()).isEqualTo(AttemptOutcome.SUCCESS));

        Step charge = task.step("charge_payment").orElseThrow();
        assertThat(charge.dependsOn()).containsExactly("validate_order");
        assertThat(charge.results().isNull()).isTrue();
        assertThat(charge.lastError().get("message").asText()).isEqualTo("gateway timed out");
        assertThat(charge.attemptHistory().get(0).finishedAt()).isNull();
    }

    @Test
    void timestamps_are_written_as_postgresql_writes_them_into_json() throws IOException {
        OffsetDateTime at = OffsetDateTime.of(2026, 12, 2, 10, 0, 0, 0, ZoneOffset.UTC);

        assertThat(WireTimestamp.FORMAT.format(at)).isEqualTo("2026-12-02T10:00:00+00:00");
        assertThat(WireTimestamp.FORMAT.format(at.withNano(120_000_000)))
                .isEqualTo("2026-12-02T10:00:00.12+00:00");
        assertThat(WireTimestamp.FORMAT.format(at.withNano(123_456_000)))
                .isEqualTo("2026-12-02T10:00:00.123456+00:00");
        assertThat(
                        WireTimestamp.FORMAT.format(
                                at.withOffsetSameLocal(ZoneOffset.ofHoursMinutes(-3, -30))))
                .isEqualTo("2026-12-02T10:00:00-03:30");
        // Read with a Z, written with +00:00: the same instant.
        TaskTransition read =
                JsonSupport.MAPPER.readValue(
                        "{\"to_state\":\"pending\",\"sort_key\":1,\"most_recent\":true,"
                                + "\"created_at\":\"2026-12-02T10:00:00.5Z\"}",
                        TaskTransition.class);
        assertThat(JsonSupport.MAPPER.valueToTree(read).get("created_at").asText())
                .isEqualTo("2026-12-02T10:00:00.5+00:00");
    }

    @Test
    void states_travel_as_their_wire_values() throws IOException {
        assertThat(JsonSupport.MAPPER.writeValueAsString(TaskState.ENQUEUING_STEPS))
                .isEqualTo("\"enqueuing_steps\"");
        assertThat(JsonSupport.MAPPER.readValue("\"resolved_manually\"", StepState.class))
                .isEqualTo(StepState.RESOLVED_MANUALLY);
        assertThat(JsonSupport.MAPPER.writeValueAsString(DlqResolutionStatus.PERMANENTLY_FAILED))
                .isEqualTo("\"permanently_failed\"");
        assertThatThrownBy(() -> JsonSupport.MAPPER.readValue("\"done\"", TaskState.class))
                .isInstanceOf(InvalidFormatException.class)
                .hasMessageContaining("not one of the values accepted");
    }

    @Test
    void a_problem_keeps_its_extension_members_and_leaves_out_empty_errors() throws IOException {
        Problem problem = JsonSupport.MAPPER.readValue(sample("problem.json"), Problem.class);

        assertThat(problem.code()).isEqualTo("duplicate_task");
        assertThat(problem.status()).isEqualTo(409);
        assertThat(problem.errors()).isEmpty();
        assertThat(problem.extension("existing_task_uuid").asText())
                .isEqualTo("0192a4f0-6c1e-7b3a-9d2e-3f4a5b6c7d8e");
        assertThat(JsonSupport.MAPPER.valueToTree(problem).has("errors")).isFalse();
        assertThat(Problem.typeOf("task_not_found"))
                .isEqualTo("https://tasker.dev/problems/task-not-found");

        Problem withErrors =
                JsonSupport.MAPPER.readValue(sample("problem-with-errors.json"), Problem.class);
        assertThat(withErrors.errors()).hasSize(1);
        assertThat(withErrors.extension("json_path").asText()).isEqualTo("$.context.a");
    }

    @Test
    void a_step_action_tells_a_null_result_from_none() throws IOException {
        StepActionRequest none =
                JsonSupport.MAPPER.readValue(
                        "{\"action\":\"resolve_manually\",\"actor\":\"ops\",\"reason\":\"r\"}",
                        StepActionRequest.class);
        StepActionRequest nullResult =
                JsonSupport.MAPPER.readValue(
                        "{\"action\":\"complete_manually\",\"actor\":\"ops\",\"reason\":\"r\","
                                + "\"result\":null}",
                        StepActionRequest.class);

        assertThat(none.result()).isNull();
        assertThat(nullResult.result()).isEqualTo(NullNode.getInstance());
        assertThat(JsonSupport.MAPPER.valueToTree(none).has("result")).isFalse();
        assertThat(
                        JsonSupport.MAPPER
                                .valueToTree(StepActionRequest.completeManually("ops", "r", null))
                                .get("result"))
                .isEqualTo(NullNode.getInstance());
    }

    @Test
    void requests_leave_out_what_is_not_set() {
        JsonNode written =
                JsonSupport.MAPPER.valueToTree(
                        CreateTaskRequest.of("fulfillment", "process_order", JsonSupport.object()));

        assertThat(written.size()).isEqualTo(3);
        assertThat(written.fieldNames())
                .toIterable()
                .containsExactly("namespace", "name", "context");
    }

    @Test
    void queue_totals_sum_every_queue() {
        QueueList list =
                QueueList.of(
                        List.of(
                                new QueueStats("a_queue", 3, 12, 1, 40),
                                new QueueStats("b_queue", 0, null, null, 37)));

        assertThat(list.totals()).isEqualTo(new QueueTotals(2, 3, 77, 12));
    }

    private static String sample(String name) throws IOException {
        try (InputStream in = ApiRecordsTest.class.getResourceAsStream("/api-samples/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

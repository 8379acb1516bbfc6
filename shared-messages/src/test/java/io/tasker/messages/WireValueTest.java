package io.tasker.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import io.tasker.messages.api.AttemptOutcome;
import io.tasker.messages.api.DlqResolutionStatus;
import io.tasker.messages.api.StepAction;
import io.tasker.messages.api.WorkerStatus;
import io.tasker.messages.protocol.ClaimStatus;
import io.tasker.messages.protocol.NoticeOutcome;
import io.tasker.messages.protocol.StepOutcome;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WireValueTest {

    /** A mapper with no modules and default settings, as a client might have. */
    private static final ObjectMapper PLAIN = new ObjectMapper();

    /**
     * Every wire enum, what its values are (for errors) and the values the database, the API and
     * the schemas carry.
     */
    static Stream<Arguments> enums() {
        return Stream.of(
                Arguments.of(
                        TaskState.class,
                        "task state",
                        List.of(
                                "pending",
                                "initializing",
                                "enqueuing_steps",
                                "steps_in_process",
                                "evaluating_results",
                                "waiting_for_dependencies",
                                "waiting_for_retry",
                                "blocked_by_failures",
                                "complete",
                                "error",
                                "cancelled",
                                "resolved_manually")),
                Arguments.of(
                        StepState.class,
                        "step state",
                        List.of(
                                "pending",
                                "enqueued",
                                "in_progress",
                                "enqueued_for_orchestration",
                                "enqueued_as_error_for_orchestration",
                                "waiting_for_retry",
                                "complete",
                                "error",
                                "cancelled",
                                "resolved_manually")),
                Arguments.of(
                        AttemptOutcome.class,
                        "attempt outcome",
                        List.of(
                                "success",
                                "retryable_failure",
                                "permanent_failure",
                                "lease_expired",
                                "rejected_late",
                                "cancelled",
                                "task_stale",
                                "resolved_manually",
                                "completed_manually")),
                Arguments.of(
                        DlqResolutionStatus.class,
                        "DLQ resolution status",
                        List.of("pending", "manually_resolved", "permanently_failed", "cancelled")),
                Arguments.of(
                        StepAction.class,
                        "step action",
                        List.of("reset_for_retry", "resolve_manually", "complete_manually")),
                Arguments.of(WorkerStatus.class, "worker status", List.of("live", "gone")),
                Arguments.of(
                        ClaimStatus.class,
                        "claim status",
                        List.of("claimed", "busy", "not_claimable")),
                Arguments.of(NoticeOutcome.class, "notice outcome", List.of("success", "failure")),
                Arguments.of(
                        StepOutcome.class,
                        "step outcome",
                        List.of("success", "retryable_failure", "permanent_failure")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("enums")
    void every_constant_is_written_and_read_as_its_wire_value_and_others_are_refused(
            Class<? extends Enum<?>> type, String what, List<String> wire) throws Exception {
        Enum<?>[] constants = type.getEnumConstants();
        assertThat(Arrays.stream(constants).map(WireValueTest::wire)).isEqualTo(wire);
        for (Enum<?> constant : constants) {
            String json = '"' + wire(constant) + '"';
            assertThat(PLAIN.writeValueAsString(constant)).isEqualTo(json);
            assertThat(JsonSupport.MAPPER.writeValueAsString(constant)).isEqualTo(json);
            assertThat(PLAIN.readValue(json, type)).isSameAs(constant);
            assertThat(parse(type, wire(constant), what)).isSameAs(constant);
        }
        assertThatThrownBy(() -> parse(type, "no_such_value", what))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown " + what + ": no_such_value");
        assertThatThrownBy(() -> PLAIN.readValue("\"no_such_value\"", type))
                .isInstanceOf(InvalidFormatException.class);
    }

    @Test
    void the_wire_values_of_an_enum_are_listed_in_declaration_order() {
        assertThat(WireValue.wires(io.tasker.messages.api.StepAction.class))
                .containsExactly("reset_for_retry", "resolve_manually", "complete_manually");
        assertThat(WireValue.wires(io.tasker.messages.api.DlqResolutionStatus.class))
                .containsExactly("pending", "manually_resolved", "permanently_failed", "cancelled");
    }

    @Test
    void a_lenient_reader_reads_an_unknown_value_as_null() throws IOException {
        ObjectMapper lenient =
                new ObjectMapper().enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL);

        assertThat(lenient.readValue("\"paused\"", TaskState.class)).isNull();
        assertThat(lenient.readValue("\"expired\"", NoticeOutcome.class)).isNull();
        assertThat(lenient.readValue("\"complete\"", TaskState.class))
                .isEqualTo(TaskState.COMPLETE);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object parse(Class<? extends Enum<?>> type, String value, String what) {
        return WireValue.parse((Class) type, value, what);
    }

    private static String wire(Enum<?> constant) {
        return ((WireValue) constant).wire();
    }
}

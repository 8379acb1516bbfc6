package io.tasker.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QueueNamesTest {

    @Test
    void worker_queue_of_a_namespace_follows_the_fixed_pattern() {
        assertThat(QueueNames.workerQueue("fulfillment")).isEqualTo("worker_fulfillment_queue");
    }

    @Test
    void namespaces_must_start_with_a_letter_and_stay_short_and_lower_case() {
        assertThat(QueueNames.isValidNamespace("a")).isTrue();
        assertThat(QueueNames.isValidNamespace("payments_v2")).isTrue();
        assertThat(QueueNames.isValidNamespace("a".repeat(29))).isTrue();
        assertThat(QueueNames.isValidNamespace("a".repeat(30))).isFalse();
        assertThat(QueueNames.isValidNamespace("2fast")).isFalse();
        assertThat(QueueNames.isValidNamespace("Upper")).isFalse();
        assertThat(QueueNames.isValidNamespace("with-dash")).isFalse();
        assertThat(QueueNames.isValidNamespace("x'; drop table tasks;--")).isFalse();
        assertThat(QueueNames.isValidNamespace("")).isFalse();
        assertThat(QueueNames.isValidNamespace(null)).isFalse();
    }

    @Test
    void bad_queue_names_are_refused_with_the_rule_in_the_message() {
        assertThatThrownBy(() -> QueueNames.requireQueue("q; select 1"))
                .isInstanceOf(QueueNames.InvalidQueueNameException.class)
                .hasMessageContaining("must match");
        assertThatThrownBy(() -> QueueNames.workerQueue("Bad"))
                .isInstanceOf(QueueNames.InvalidQueueNameException.class);
    }

    @Test
    void terminal_states_and_dependency_satisfaction() {
        assertThat(WireValue.parse(TaskState.class, "complete", "task state").isTerminal())
                .isTrue();
        assertThat(TaskState.STEPS_IN_PROCESS.isTerminal()).isFalse();
        assertThat(StepState.RESOLVED_MANUALLY.satisfiesDependency()).isTrue();
        assertThat(StepState.ERROR.satisfiesDependency()).isFalse();
    }
}

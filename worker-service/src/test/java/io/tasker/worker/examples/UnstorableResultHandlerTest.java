package io.tasker.worker.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tasker.messages.JsonSupport;
import io.tasker.worker.StepResult;
import io.tasker.worker.testing.HandlerTester;
import io.tasker.worker.testing.StepContexts;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnstorableResultHandlerTest {

    private final HandlerTester handlers = HandlerTester.of(new Examples());

    private StepResult run(String config) {
        return handlers.run(
                Examples.UNSTORABLE,
                StepContexts.root(JsonSupport.object(), JsonSupport.parse(config)));
    }

    @Test
    void each_kind_returns_the_outcome_it_names() {
        assertThat(run("{\"kind\": \"nul_in_result\"}"))
                .isEqualTo(
                        StepResult.success(
                                JsonSupport.parse("{\"text\": \"before\\u0000after\"}")));
        assertThat(((StepResult.RetryableFailure) run("{\"kind\": \"nul_in_error\"}")).message())
                .contains("\u0000");
        assertThat(
                        ((StepResult.RetryableFailure) run("{\"kind\": \"retry_after_overflow\"}"))
                                .retryAfter())
                .isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(
                        ((StepResult.Success) run("{\"kind\": \"oversized_result\", \"bytes\": 5}"))
                                .result()
                                .asText())
                .isEqualTo("xxxxx");
        assertThat(
                        ((StepResult.Success) run("{\"kind\": \"numeric_overflow\"}"))
                                .result()
                                .decimalValue())
                .isEqualByComparingTo("1E+1000000");
    }

    @Test
    void an_unknown_kind_is_a_permanent_invalid_config_failure() {
        assertThat(run("{\"kind\": \"other\"}"))
                .isInstanceOfSatisfying(
                        StepResult.PermanentFailure.class,
                        f -> assertThat(f.type()).isEqualTo("invalid_config"));
    }
}

package io.tasker.orchestrator.template;

import static io.tasker.orchestrator.template.Templates.DEFAULTS;
import static io.tasker.orchestrator.template.Templates.RETRY;
import static io.tasker.orchestrator.template.Templates.graph;
import static io.tasker.orchestrator.template.Templates.retry;
import static io.tasker.orchestrator.template.Templates.validator;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.messages.JsonSupport;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Template validation: the schema's violations named by path, then the graph checks, and the
 * normalised template with every default filled in.
 */
class TemplateValidatorTest {

    private final TemplateValidator validator = validator(RETRY, DEFAULTS);

    private List<String> problems(String json) {
        return validator.validate(JsonSupport.parse(json)).problems();
    }

    @Test
    void every_violation_of_the_schema_is_listed_with_its_path() {
        assertThat(
                        problems(
                                """
                                {"namespace": "Bad-NS", "name": 5, "version": 1.0, "extra": 1,
                                 "identity_strategy": "x", "description": 3, "input_schema": [],
                                 "lifecycle": {"max_duration_minutes": 0, "zz": 1},
                                 "steps": [
                                   7,
                                   {"handler": "Bad-x", "depends_on": ["b", "b", 3], "config": 3,
                                    "inputs": "i", "timeout_seconds": 86401, "colour": "red",
                                    "retry": {"max_attempts": 0, "backoff": "x", "retryable": null,
                                              "jitter_percent": 101, "k": 1}}]}
                                """))
                .containsExactlyInAnyOrder(
                        "unknown field 'extra'",
                        "namespace 'Bad-NS' must match ^[a-z][a-z0-9_]*$",
                        "name 5 must be a string",
                        "version 1.0 must be MAJOR.MINOR.PATCH written as a string (quote it in"
                                + " YAML)",
                        "identity_strategy 'x' must be one of [always_unique, caller_provided,"
                                + " strict]",
                        "description 3 must be a string",
                        "input_schema must be an object",
                        "lifecycle.max_duration_minutes 0 must be an integer between 1 and 525600",
                        "lifecycle: unknown field 'zz'",
                        "steps[0] 7 must be an object",
                        "steps[1].name is required",
                        "steps[1]: unknown field 'colour'",
                        "steps[1].handler 'Bad-x' must be a dotted name like"
                                + " fulfillment.validate_order",
                        "steps[1].depends_on lists 'b' twice",
                        "steps[1].depends_on[2] 3 must be a step name",
                        "steps[1].config 3 must be an object",
                        "steps[1].inputs 'i' must be an object",
                        "steps[1].timeout_seconds 86401 must be an integer between 1 and 86400",
                        "steps[1].retry: unknown field 'k'",
                        "steps[1].retry.max_attempts 0 must be an integer between 1 and 100",
                        "steps[1].retry.backoff 'x' must be one of [exponential, fixed, linear]",
                        "steps[1].retry.retryable null must be true or false",
                        "steps[1].retry.jitter_percent 101 must be an integer between 0 and 100");
    }

    @Test
    void a_document_that_is_not_an_object_is_one_problem() {
        assertThat(problems("[]")).containsExactly("the template must be an object");
        assertThat(problems("\"t\"")).containsExactly("the template 't' must be an object");
    }

    @Test
    void missing_required_keys_are_named() {
        assertThat(problems("{}"))
                .containsExactlyInAnyOrder(
                        "namespace is required",
                        "name is required",
                        "version is required",
                        "steps is required");
        assertThat(
                        problems(
                                "{\"namespace\": \"n\", \"name\": \"t\", \"version\": \"1.0.0\","
                                        + " \"steps\": []}"))
                .containsExactly("steps must be a non-empty list");
    }

    @Test
    void counts_and_times_written_with_a_fraction_are_refused_though_json_schema_allows_them() {
        assertThat(
                        problems(
                                """
                                {"namespace": "n", "name": "t", "version": "1.0.0",
                                 "lifecycle": {"max_waiting_minutes": 5.0},
                                 "steps": [{"name": "a", "handler": "h", "timeout_seconds": 5.0,
                                            "retry": {"max_attempts": 2.0}}]}
                                """))
                .containsExactlyInAnyOrder(
                        "lifecycle.max_waiting_minutes 5.0 must be an integer between 1 and 525600",
                        "steps[0].timeout_seconds 5.0 must be an integer between 1 and 86400",
                        "steps[0].retry.max_attempts 2.0 must be an integer between 1 and 100");
        assertThat(
                        problems(
                                """
                                {"namespace": "n", "name": "t", "version": "1.0.0",
                                 "steps": [{"name": "a", "handler": "h", "timeout_seconds": 5.5}]}
                                """))
                .containsExactly(
                        "steps[0].timeout_seconds 5.5 must be an integer between 1 and 86400");
    }

    @Test
    void a_maximum_delay_below_the_base_delay_is_refused_even_against_the_default_base() {
        assertThat(
                        problems(
                                """
                                {"namespace": "n", "name": "t", "version": "1.0.0",
                                 "steps": [{"name": "a", "handler": "h",
                                            "retry": {"backoff_base_ms": 500, "max_backoff_ms": 400}},
                                           {"name": "b", "handler": "h",
                                            "retry": {"max_backoff_ms": 999}}]}
                                """))
                .containsExactly(
                        "steps[0].retry.max_backoff_ms must not be below backoff_base_ms",
                        "steps[1].retry.max_backoff_ms must not be below backoff_base_ms");
    }

    @Test
    void graph_problems_are_listed_with_the_schema_problems() {
        assertThat(
                        problems(
                                """
                                {"namespace": "n", "name": "t", "version": "1.0",
                                 "steps": [{"name": "a", "handler": "h", "depends_on": ["a"]},
                                           {"name": "b", "handler": "h", "depends_on": ["zzz"]},
                                           {"name": "b", "handler": "h"}]}
                                """))
                .containsExactly(
                        "version '1.0' must be MAJOR.MINOR.PATCH (e.g. 1.0.0)",
                        "duplicate step name 'b'",
                        "step 'a' depends on itself",
                        "step 'b' depends on unknown step 'zzz'");
    }

    @Test
    void a_cycle_is_named_in_dependency_order() {
        assertThat(
                        problems(
                                """
                                {"namespace": "n", "name": "t", "version": "1.0.0",
                                 "steps": [{"name": "start", "handler": "h"},
                                           {"name": "a", "handler": "h", "depends_on": ["start", "c"]},
                                           {"name": "b", "handler": "h", "depends_on": ["a"]},
                                           {"name": "c", "handler": "h", "depends_on": ["b"]}]}
                                """))
                .containsExactly("dependency cycle: a -> b -> c -> a");
    }

    @Test
    void a_valid_template_is_normalised_with_every_default_filled_in() {
        TemplateValidator.Result result =
                validator.validate(
                        JsonSupport.parse(
                                """
                                {"namespace": "n", "name": "t", "version": "1.0.0",
                                 "description": null, "identity_strategy": null,
                                 "lifecycle": {"max_waiting_minutes": 5},
                                 "steps": [{"name": "a", "handler": "h.x", "description": "not kept",
                                            "retry": {"backoff_base_ms": 60000, "retryable": false}},
                                           {"name": "b", "handler": "h", "depends_on": ["a"],
                                            "inputs": {"q": 1}, "config": null, "timeout_seconds": 9}]}
                                """));

        assertThat(result.problems()).isEmpty();
        JsonNode expected =
                JsonSupport.parse(
                        """
                        {"namespace": "n", "name": "t", "version": "1.0.0", "description": "",
                         "identity_strategy": "strict", "input_schema": {"type": "object"},
                         "lifecycle": {"max_duration_minutes": 1440, "max_waiting_minutes": 5},
                         "steps": [
                           {"name": "a", "handler": "h.x", "config": {}, "inputs": {},
                            "depends_on": [],
                            "retry": {"retryable": false, "max_attempts": 3, "backoff": "exponential",
                                      "backoff_base_ms": 60000, "max_backoff_ms": 60000,
                                      "jitter_percent": 10},
                            "timeout_seconds": 30},
                           {"name": "b", "handler": "h", "config": {}, "inputs": {"q": 1},
                            "depends_on": ["a"],
                            "retry": {"retryable": true, "max_attempts": 3, "backoff": "exponential",
                                      "backoff_base_ms": 1000, "max_backoff_ms": 30000,
                                      "jitter_percent": 10},
                            "timeout_seconds": 9}]}
                        """);
        assertThat(JsonSupport.canonical(result.template()))
                .isEqualTo(JsonSupport.canonical(expected));
    }

    @Test
    void retry_defaults_come_from_the_configuration() {
        TemplateValidator configured = validator(retry(5, "fixed", 200, 800, 0, 12), DEFAULTS);

        JsonNode step = configured.validate(graph(1, 0)).template().path("steps").get(0);

        assertThat(JsonSupport.canonical(step.path("retry")))
                .isEqualTo(
                        JsonSupport.canonical(
                                JsonSupport.parse(
                                        """
                                {"retryable": true, "max_attempts": 5, "backoff": "fixed",
                                 "backoff_base_ms": 200, "max_backoff_ms": 800, "jitter_percent": 0}
                                """)));
        assertThat(step.path("timeout_seconds").asInt()).isEqualTo(12);
    }
}

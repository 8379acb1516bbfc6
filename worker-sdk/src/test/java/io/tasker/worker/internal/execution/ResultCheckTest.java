package io.tasker.worker.internal.execution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.protocol.ProtocolCodec;
import io.tasker.worker.ProtocolSchemas;
import io.tasker.worker.StepResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultCheckTest {

    private final ResultCheck check = new ResultCheck(100);

    @Test
    void a_storable_result_is_reported_unchanged() {
        Report r =
                check.toReport(StepResult.success(JsonSupport.parse("{\"a\": [1, \"b\"]}")), "h");

        assertThat(r.outcome()).isEqualTo("success");
        assertThat(r.resultJson()).isEqualTo("{\"a\":[1,\"b\"]}");
        assertThat(r.replacesHandlerOutcome()).isFalse();
    }

    @Test
    void the_path_of_a_nul_names_odd_keys_and_array_indexes() {
        JsonNode doc = JsonSupport.parse("{\"ok\": 1, \"we'ird key\": [\"fine\", {\"x\": \"y\"}]}");
        ((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("we'ird key").get(1))
                .put("x", "\u0000");

        assertThat(NulPath.find(doc)).isEqualTo("the string at $['we\\'ird key'][1].x");
    }

    @Test
    void the_first_nul_in_document_order_is_named() {
        ArrayNode doc = JsonSupport.array().add("a\u0000").add("b\u0000");

        assertThat(NulPath.find(doc)).isEqualTo("the string at $[0]");
    }

    @Test
    void a_deeply_nested_result_is_checked_without_overflowing_the_stack() {
        JsonNode doc = nested(TextNode.valueOf("\u0000"), 100_000);

        assertThat(NulPath.find(doc)).startsWith("the string at $[0][0]");
    }

    @Test
    void a_result_nested_too_deeply_to_write_as_json_is_an_invalid_result() {
        JsonNode doc = nested(TextNode.valueOf("deep"), 5_000);

        Report r = new ResultCheck(1_000_000).toReport(StepResult.success(doc), "h");

        assertThat(permanentFailureMessage(r, "invalid_result"))
                .startsWith("the handler's result cannot be written as JSON: ");
    }

    @Test
    void a_result_of_exactly_the_limit_in_utf8_bytes_passes_and_one_more_byte_fails() {
        // "é" is two bytes in UTF-8: 49 of them plus the quotes are exactly 100 bytes.
        Report atLimit = check.toReport(StepResult.success(TextNode.valueOf("é".repeat(49))), "h");
        Report over =
                check.toReport(StepResult.success(TextNode.valueOf("é".repeat(49) + "x")), "h");

        assertThat(atLimit.outcome()).isEqualTo("success");
        assertThat(permanentFailureMessage(over, "result_too_large"))
                .contains("101 bytes of JSON, over the limit of 100 bytes");
    }

    @Test
    void a_retry_after_that_fits_in_milliseconds_is_passed_on() {
        Report r =
                check.toReport(StepResult.retryableFailure("m", "t", Duration.ofSeconds(3)), "h");

        assertThat(r.outcome()).isEqualTo("retryable_failure");
        assertThat(JsonSupport.parse(r.errorJson()).get("retry_after_ms").asLong()).isEqualTo(3000);
    }

    @Test
    void a_nul_in_a_permanent_failures_type_is_refused_without_echoing_it() {
        Report r = check.toReport(StepResult.permanentFailure("m", "ty\u0000pe"), "h");

        assertThat(r.errorJson()).doesNotContain("\\u0000\"").contains("invalid_result");
        assertThat(JsonSupport.parse(r.errorJson()).get("message").asText())
                .contains("error type contains a NUL character (\\u0000) at index 2");
    }

    @Test
    void the_databases_refusal_becomes_a_permanent_failure_carrying_its_message() {
        Report r = check.refusedByDatabase("ERROR: value overflows numeric format (22003)", "h");

        assertThat(permanentFailureMessage(r, "result_rejected_by_database"))
                .isEqualTo(
                        "the database refused the handler's outcome: ERROR: value overflows numeric format (22003)");
    }

    @Test
    void every_report_is_a_step_result_of_the_protocol_schema_and_its_error_json_is_its_error() {
        List<Report> reports =
                List.of(
                        check.toReport(StepResult.success(JsonSupport.parse("[1]")), "h"),
                        check.toReport(StepResult.success(null), "h"),
                        check.toReport(
                                StepResult.retryableFailure("later", "busy", Duration.ofSeconds(2)),
                                "h"),
                        check.toReport(StepResult.retryableFailure(null, null), "h"),
                        check.toReport(StepResult.permanentFailure("no", "invalid"), "h"),
                        check.toReport(StepResult.success(TextNode.valueOf("x".repeat(200))), "h"),
                        check.refusedByDatabase("overflow", "h"));
        for (Report r : reports) {
            String json = ProtocolCodec.write(r.result());
            assertThat(ProtocolSchemas.problems("step-result.schema.json", json))
                    .as(json)
                    .isEmpty();
            assertThat(JsonSupport.parse(json).get("outcome").asText()).isEqualTo(r.outcome());
            if (r.success()) {
                assertThat(JsonSupport.parse(r.resultJson()))
                        .isEqualTo(JsonSupport.parse(json).get("result"));
            } else {
                assertThat(JsonSupport.parse(r.errorJson()))
                        .isEqualTo(JsonSupport.parse(json).get("error"));
            }
        }
    }

    /** The report is a permanent failure with this error type; returns its error message. */
    private static String permanentFailureMessage(Report r, String type) {
        assertThat(r.outcome()).isEqualTo("permanent_failure");
        JsonNode error = JsonSupport.parse(r.errorJson());
        assertThat(error.get("type").asText()).isEqualTo(type);
        return error.get("message").asText();
    }

    /** {@code leaf} inside {@code depth} single-element arrays. */
    private static JsonNode nested(JsonNode leaf, int depth) {
        JsonNode doc = leaf;
        for (int i = 0; i < depth; i++) {
            doc = JsonSupport.array().add(doc);
        }
        return doc;
    }
}

package com.example.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tasker.worker.StepResult;
import io.tasker.worker.testing.HandlerTester;
import io.tasker.worker.testing.StepContexts;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The handlers, called by name as the worker calls them, without a database. */
class WelcomeTest {

    private final ObjectMapper json = new ObjectMapper();
    private final HandlerTester handlers = HandlerTester.of(new Welcome());

    @Test
    void greet_greets_the_person_named_in_the_task() throws Exception {
        StepResult r =
                handlers.run(
                        "quickstart.greet",
                        StepContexts.root(json.readTree("{\"name\": \"Ada\"}"), null));

        StepResult.Success ok = assertInstanceOf(StepResult.Success.class, r);
        assertEquals("Hello, Ada!", ok.result().path("greeting").asText());
    }

    @Test
    void a_task_without_a_name_fails_permanently() throws Exception {
        StepResult r =
                handlers.run(
                        "quickstart.greet",
                        StepContexts.root(json.readTree("{\"name\": \"\"}"), null));

        assertEquals("invalid_input", assertInstanceOf(StepResult.PermanentFailure.class, r).type());
    }

    @Test
    void shout_shouts_the_greeting_of_its_parent() throws Exception {
        StepResult r =
                handlers.run(
                        "quickstart.shout",
                        StepContexts.after(
                                json.readTree("{\"name\": \"Ada\"}"),
                                Map.of("greet", json.readTree("{\"greeting\": \"Hello, Ada!\"}"))));

        StepResult.Success ok = assertInstanceOf(StepResult.Success.class, r);
        assertEquals("HELLO, ADA!", ok.result().path("message").asText());
        assertEquals(1, ok.result().path("attempt").asInt());
    }
}

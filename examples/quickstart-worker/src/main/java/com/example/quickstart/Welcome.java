package com.example.quickstart;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.tasker.worker.PermanentStepException;
import io.tasker.worker.StepContext;
import io.tasker.worker.StepHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;

/** The handlers of the {@code quickstart/welcome} template. */
@ApplicationScoped
public class Welcome {

    /** The task's input, bound from its JSON context. */
    @RegisterForReflection
    public record Person(String name) {}

    /** What {@code greet} returns, stored as the step's result. */
    @RegisterForReflection
    public record Greeting(String greeting) {}

    /** What {@code shout} returns. */
    @RegisterForReflection
    public record Shout(String message, int attempt) {}

    @StepHandler("quickstart.greet")
    public Greeting greet(Person person) {
        if (person.name() == null || person.name().isBlank()) {
            // A permanent failure: retrying cannot fix the input.
            throw new PermanentStepException("the task has no name", "invalid_input");
        }
        return new Greeting("Hello, " + person.name() + "!");
    }

    @StepHandler("quickstart.shout")
    public Shout shout(StepContext ctx) {
        Greeting greeting = ctx.dependency("greet", Greeting.class);
        return new Shout(greeting.greeting().toUpperCase(Locale.ROOT), ctx.attempt());
    }
}

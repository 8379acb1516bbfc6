package io.tasker.worker.handler;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Every {@link StepHandler} bean of the application, by name. */
@ApplicationScoped
public class HandlerRegistry {

    private final Map<String, StepHandler> handlers;

    public HandlerRegistry(@Any Instance<StepHandler> beans) {
        Map<String, StepHandler> byName = new TreeMap<>();
        for (StepHandler h : beans) {
            StepHandler previous = byName.put(h.name(), h);
            if (previous != null) {
                throw new IllegalStateException(
                        "two handlers are named '"
                                + h.name()
                                + "': "
                                + previous.getClass().getName()
                                + " and "
                                + h.getClass().getName());
            }
        }
        this.handlers = Collections.unmodifiableMap(byName);
    }

    public Optional<StepHandler> find(String name) {
        return Optional.ofNullable(handlers.get(name));
    }

    public java.util.Set<String> names() {
        return handlers.keySet();
    }
}

package io.tasker.worker.handler;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Every {@link StepHandler} bean of the application, by name. */
@ApplicationScoped
public class HandlerRegistry {

    private final Map<String, StepHandler> handlers;

    @Inject
    public HandlerRegistry(@Any Instance<StepHandler> beans) {
        this((Iterable<StepHandler>) beans);
    }

    private HandlerRegistry(Iterable<StepHandler> beans) {
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

    /** A registry of the given handlers, for code that builds a worker without CDI. */
    public static HandlerRegistry of(StepHandler... handlers) {
        return new HandlerRegistry(java.util.List.of(handlers));
    }

    public Optional<StepHandler> find(String name) {
        return Optional.ofNullable(handlers.get(name));
    }

    public java.util.Set<String> names() {
        return handlers.keySet();
    }
}

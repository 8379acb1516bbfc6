package io.tasker.worker.internal.handler;

import io.tasker.worker.Handler;
import io.tasker.worker.StepContext;
import io.tasker.worker.StepHandler;
import io.tasker.worker.StepResult;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every handler of the application, by name, found once at start: beans annotated with {@link
 * StepHandler} that implement {@link Handler}, and {@link StepHandler} methods of any bean. Two
 * handlers with one name stop the start, naming both.
 */
@Singleton
public class HandlerRegistry {

    private final Map<String, RegisteredHandler> handlers;

    /**
     * The injected {@code Instance<Handler>} also keeps class handlers that nothing injects from
     * being removed as unused beans.
     */
    @Inject
    public HandlerRegistry(BeanManager beans, @Any Instance<Handler> classHandlers) {
        this(discover(beans, classHandlers));
    }

    private HandlerRegistry(List<RegisteredHandler> found) {
        Map<String, RegisteredHandler> byName = new TreeMap<>();
        for (RegisteredHandler h : found) {
            RegisteredHandler previous = byName.putIfAbsent(h.name(), h);
            if (previous != null && previous != h) {
                throw new IllegalStateException(
                        "two handlers are named '"
                                + h.name()
                                + "': "
                                + previous.source()
                                + " and "
                                + h.source());
            }
        }
        this.handlers = Collections.unmodifiableMap(byName);
    }

    /** A registry of the given handlers, for code that builds a worker without CDI. */
    public static HandlerRegistry of(RegisteredHandler... handlers) {
        return new HandlerRegistry(List.of(handlers));
    }

    /**
     * A registry of the handlers the given objects declare (as {@link StepHandler} classes or
     * methods), for tests that call handlers without CDI.
     */
    public static HandlerRegistry ofBeans(Object... beans) {
        List<RegisteredHandler> found = new ArrayList<>();
        for (Object bean : beans) {
            found.addAll(declared(bean.getClass(), bean));
        }
        return new HandlerRegistry(found);
    }

    public Optional<RegisteredHandler> find(String name) {
        return Optional.ofNullable(handlers.get(name));
    }

    public Set<String> names() {
        return handlers.keySet();
    }

    /**
     * Runs handler {@code name} directly with {@code context}, as the worker would but on the
     * calling thread and without a deadline: for handler tests.
     */
    public StepResult run(String name, StepContext context) {
        RegisteredHandler handler =
                find(name).orElseThrow(() -> new IllegalArgumentException("no handler " + name));
        try {
            return handler.invoke(context);
        } catch (Throwable e) {
            return Outcomes.thrown(e);
        }
    }

    private static List<RegisteredHandler> discover(
            BeanManager beans, Instance<Handler> classHandlers) {
        List<RegisteredHandler> found = new ArrayList<>();
        for (Instance.Handle<Handler> handle : classHandlers.handles()) {
            Class<?> type = handle.getBean().getBeanClass();
            StepHandler named = type.getAnnotation(StepHandler.class);
            if (named == null) {
                throw new IllegalStateException(
                        type.getName()
                                + " implements "
                                + Handler.class.getName()
                                + " but has no @StepHandler naming it");
            }
            found.add(new ClassHandler(named.value(), type, handle.get()));
        }
        for (Bean<?> bean : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
            Class<?> type = bean.getBeanClass();
            if (!bean.getTypes().contains(type) || !hasHandlerMethods(type)) {
                continue;
            }
            Object reference = beans.getReference(bean, type, beans.createCreationalContext(bean));
            found.addAll(methods(type, reference));
        }
        return found;
    }

    private static List<RegisteredHandler> declared(Class<?> type, Object bean) {
        List<RegisteredHandler> found = new ArrayList<>();
        StepHandler named = type.getAnnotation(StepHandler.class);
        if (named != null) {
            if (!(bean instanceof Handler handler)) {
                throw new IllegalStateException(
                        type.getName()
                                + " is annotated @StepHandler but does not implement "
                                + Handler.class.getName());
            }
            found.add(new ClassHandler(named.value(), type, handler));
        }
        found.addAll(methods(type, bean));
        return found;
    }

    private static boolean hasHandlerMethods(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(StepHandler.class)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<RegisteredHandler> methods(Class<?> type, Object bean) {
        List<RegisteredHandler> found = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                StepHandler named = m.getAnnotation(StepHandler.class);
                if (named != null) {
                    found.add(new MethodHandler(named.value(), bean, m));
                }
            }
        }
        return found;
    }

    /** A bean that is one handler. */
    private record ClassHandler(String name, Class<?> type, Handler handler)
            implements RegisteredHandler {

        @Override
        public String source() {
            return type.getName();
        }

        @Override
        public StepResult invoke(StepContext context) throws Exception {
            return Outcomes.returned(handler.handle(context), false, name);
        }
    }
}

package io.tasker.worker.internal.handler;

import com.fasterxml.jackson.databind.JsonNode;
import io.tasker.worker.Cancellation;
import io.tasker.worker.StepContext;
import io.tasker.worker.StepResult;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.function.Function;

/**
 * A handler method of a bean: each parameter is bound from the step's context (the {@link
 * StepContext} itself, its {@link Cancellation}, the task's context as a {@link JsonNode} or bound
 * to the parameter's type), and the returned value becomes the step's outcome.
 */
final class MethodHandler implements RegisteredHandler {

    private final String name;
    private final Object bean;
    private final Method method;
    private final Function<StepContext, Object>[] arguments;
    private final boolean declaredVoid;

    @SuppressWarnings("unchecked")
    MethodHandler(String name, Object bean, Method method) {
        this.name = name;
        this.bean = bean;
        this.method = method;
        if (!Modifier.isPublic(method.getModifiers()) || Modifier.isStatic(method.getModifiers())) {
            throw new IllegalStateException(
                    "handler '" + name + "' (" + source() + ") must be a public instance method");
        }
        Parameter[] parameters = method.getParameters();
        this.arguments = new Function[parameters.length];
        for (int i = 0; i < parameters.length; i++) {
            arguments[i] = argument(parameters[i]);
        }
        this.declaredVoid = method.getReturnType() == void.class;
    }

    private Function<StepContext, Object> argument(Parameter parameter) {
        Class<?> type = parameter.getType();
        if (type == StepContext.class) {
            return ctx -> ctx;
        }
        if (type == Cancellation.class) {
            return StepContext::cancellation;
        }
        if (type == JsonNode.class) {
            return StepContext::context;
        }
        if (type.isPrimitive() || type == String.class) {
            throw new IllegalStateException(
                    "handler '"
                            + name
                            + "' ("
                            + source()
                            + "): parameter "
                            + parameter.getName()
                            + " of type "
                            + type.getName()
                            + " cannot be bound; take the StepContext, a JsonNode or a"
                            + " class/record of your own");
        }
        return ctx -> ctx.input(type);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String source() {
        return method.getDeclaringClass().getName() + "#" + method.getName();
    }

    @Override
    public StepResult invoke(StepContext context) throws Throwable {
        Object[] args = new Object[arguments.length];
        for (int i = 0; i < args.length; i++) {
            args[i] = arguments[i].apply(context);
        }
        Object value;
        try {
            value = method.invoke(bean, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        return Outcomes.returned(value, declaredVoid, name);
    }
}

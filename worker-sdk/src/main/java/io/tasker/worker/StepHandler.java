package io.tasker.worker;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the handler templates reference as a step's {@code handler}. On a CDI bean class that
 * implements {@link Handler}, the bean is the handler; on a public method of a CDI bean, that
 * method is (a bean may hold several). A method handler takes any of: the {@link StepContext}, a
 * {@link com.fasterxml.jackson.databind.JsonNode} or a class/record of your own bound from the
 * task's context with Jackson; it returns any value (stored as the step's JSON result), a {@link
 * StepResult}, or nothing ({@code void}: the result is JSON {@code null}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface StepHandler {

    /** The handler's name, e.g. {@code fulfillment.validate_order}. */
    String value();
}

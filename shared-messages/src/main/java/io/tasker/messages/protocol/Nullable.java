package io.tasker.messages.protocol;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record component that may be absent (or null) on the wire. Every other component is
 * {@code required} in the message's JSON Schema; a test holds the schemas to this rule.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({
    ElementType.RECORD_COMPONENT,
    ElementType.PARAMETER,
    ElementType.METHOD,
    ElementType.FIELD
})
public @interface Nullable {}

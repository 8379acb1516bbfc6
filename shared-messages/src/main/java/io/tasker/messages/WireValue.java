package io.tasker.messages;

import com.fasterxml.jackson.databind.EnumNamingStrategy;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An enum written on the wire (JSON, database columns, SQL function arguments) as its constant's
 * name in lower case: {@code ENQUEUING_STEPS} is {@code "enqueuing_steps"}. Renaming a constant
 * renames its wire value; {@code WireValueTest} and the schema tests say when that happens.
 *
 * <p>Each implementing enum carries {@code @EnumNaming(WireValue.Naming.class)}, through which
 * Jackson writes and reads the value and the OpenAPI scanner documents it; code that holds a wire
 * value as a string reads it with {@link #parse}. In a native image, register {@link Naming} for
 * reflection: Jackson instantiates it.
 */
public interface WireValue {

    /** The value as it is written on the wire. */
    default String wire() {
        return wireName(((Enum<?>) this).name());
    }

    /**
     * The constant of {@code type} whose wire value is {@code value}.
     *
     * @param what what the value is, for the error ("task state")
     * @throws IllegalArgumentException {@code "unknown <what>: <value>"} when no constant has it (a
     *     lenient Jackson reader, {@code READ_UNKNOWN_ENUM_VALUES_AS_NULL}, reads it as null)
     */
    static <E extends Enum<E> & WireValue> E parse(Class<E> type, String value, String what) {
        for (E e : type.getEnumConstants()) {
            if (e.wire().equals(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown " + what + ": " + value);
    }

    /** The wire values of {@code type}, in declaration order (for "must be one of" messages). */
    static <E extends Enum<E> & WireValue> List<String> wires(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(WireValue::wire).toList();
    }

    private static String wireName(String constant) {
        return constant.toLowerCase(Locale.ROOT);
    }

    /** The rule of {@link #wire()} for Jackson's {@code @EnumNaming}. */
    final class Naming implements EnumNamingStrategy {

        @Override
        public String convertEnumToExternalName(String enumName) {
            return wireName(enumName);
        }
    }
}

package io.tasker.messages.protocol;

/** An enum whose constants carry the exact string written on the wire. */
public interface WireEnum {

    /** The value as it is written in JSON. */
    String wire();

    /** The constant of {@code type} whose wire value is {@code value}. */
    static <E extends Enum<E> & WireEnum> E fromWire(Class<E> type, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.wire().equals(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException(
                "unknown " + type.getSimpleName() + " value '" + value + "'");
    }
}

package io.tasker.messages.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a result notice says happened to the attempt (the details are in the step's row). */
public enum NoticeOutcome implements WireEnum {
    SUCCESS("success"),
    FAILURE("failure");

    private final String wire;

    NoticeOutcome(String wire) {
        this.wire = wire;
    }

    @JsonValue
    @Override
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static NoticeOutcome fromWire(String value) {
        return WireEnum.fromWire(NoticeOutcome.class, value);
    }
}

package io.tasker.messages.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The status of a claim answer. */
public enum ClaimStatus implements WireEnum {
    CLAIMED("claimed"),
    BUSY("busy"),
    NOT_CLAIMABLE("not_claimable");

    private final String wire;

    ClaimStatus(String wire) {
        this.wire = wire;
    }

    @JsonValue
    @Override
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static ClaimStatus fromWire(String value) {
        return WireEnum.fromWire(ClaimStatus.class, value);
    }
}

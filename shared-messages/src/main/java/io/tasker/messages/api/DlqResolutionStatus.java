package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where the investigation of a DLQ entry stands; the wire value is what the table holds. */
public enum DlqResolutionStatus {
    PENDING("pending"),
    MANUALLY_RESOLVED("manually_resolved"),
    PERMANENTLY_FAILED("permanently_failed"),
    CANCELLED("cancelled");

    private final String wire;

    DlqResolutionStatus(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static DlqResolutionStatus fromWire(String value) {
        for (DlqResolutionStatus s : values()) {
            if (s.wire.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown DLQ resolution status: " + value);
    }
}

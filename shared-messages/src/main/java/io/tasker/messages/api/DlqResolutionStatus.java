package io.tasker.messages.api;

import com.fasterxml.jackson.databind.annotation.EnumNaming;
import io.tasker.messages.WireValue;

/** Where the investigation of a DLQ entry stands; the wire value is what the table holds. */
@EnumNaming(WireValue.Naming.class)
public enum DlqResolutionStatus implements WireValue {
    PENDING,
    MANUALLY_RESOLVED,
    PERMANENTLY_FAILED,
    CANCELLED;
}

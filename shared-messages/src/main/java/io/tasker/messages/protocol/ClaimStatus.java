package io.tasker.messages.protocol;

import com.fasterxml.jackson.databind.annotation.EnumNaming;
import io.tasker.messages.WireValue;

/** The status of a claim answer. */
@EnumNaming(WireValue.Naming.class)
public enum ClaimStatus implements WireValue {
    CLAIMED,
    BUSY,
    NOT_CLAIMABLE;
}

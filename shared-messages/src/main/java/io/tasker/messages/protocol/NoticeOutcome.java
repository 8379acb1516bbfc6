package io.tasker.messages.protocol;

import com.fasterxml.jackson.databind.annotation.EnumNaming;
import io.tasker.messages.WireValue;

/** What a result notice says happened to the attempt (the details are in the step's row). */
@EnumNaming(WireValue.Naming.class)
public enum NoticeOutcome implements WireValue {
    SUCCESS,
    FAILURE;
}

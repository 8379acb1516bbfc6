package io.tasker.messages.api;

import com.fasterxml.jackson.databind.annotation.EnumNaming;
import io.tasker.messages.WireValue;

/**
 * Whether a registered worker is serving: {@code live} while it is not stopped and its last
 * presence heartbeat is within the live timeout, {@code gone} after.
 */
@EnumNaming(WireValue.Naming.class)
public enum WorkerStatus implements WireValue {
    LIVE,
    GONE
}

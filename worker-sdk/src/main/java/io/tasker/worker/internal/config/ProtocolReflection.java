package io.tasker.worker.internal.config;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.tasker.messages.WireValue;
import io.tasker.messages.protocol.ClaimStatus;
import io.tasker.messages.protocol.StepClaim;
import io.tasker.messages.protocol.StepContext;
import io.tasker.messages.protocol.StepError;
import io.tasker.messages.protocol.StepMessage;
import io.tasker.messages.protocol.StepOutcome;
import io.tasker.messages.protocol.StepResult;

/**
 * The protocol records the worker reads and writes with Jackson outside any resource signature,
 * kept for reflection in a native image.
 */
@RegisterForReflection(
        targets = {
            StepMessage.class,
            StepClaim.class,
            ClaimStatus.class,
            StepContext.class,
            StepResult.class,
            StepOutcome.class,
            StepError.class,
            // Jackson instantiates the enums' @EnumNaming strategy.
            WireValue.Naming.class
        })
public final class ProtocolReflection {

    private ProtocolReflection() {}
}

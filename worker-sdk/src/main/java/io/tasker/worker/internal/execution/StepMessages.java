package io.tasker.worker.internal.execution;

import io.tasker.messages.protocol.ProtocolCodec;
import io.tasker.messages.protocol.StepMessage;
import io.tasker.queue.QueueMessage;

/** Reads a queue message into a {@link StepMessage}. */
final class StepMessages {

    private StepMessages() {}

    static ProtocolCodec.Decoded<StepMessage> decode(QueueMessage message) {
        return ProtocolCodec.decodeMessage(
                message.message() == null ? null : message.message().encode(), StepMessage.class);
    }
}

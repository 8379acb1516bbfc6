package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Every pgmq queue with its depth and age, and the totals. */
public record QueueList(
        @JsonProperty("queues") List<QueueStats> queues,
        @JsonProperty("totals") QueueTotals totals) {

    /** The list with its totals summed up. */
    public static QueueList of(List<QueueStats> queues) {
        long depth = 0;
        long sent = 0;
        Integer oldest = null;
        for (QueueStats q : queues) {
            depth += q.queueLength();
            sent += q.totalMessages();
            if (q.oldestMsgAgeSec() != null && (oldest == null || q.oldestMsgAgeSec() > oldest)) {
                oldest = q.oldestMsgAgeSec();
            }
        }
        return new QueueList(queues, new QueueTotals(queues.size(), depth, sent, oldest));
    }
}

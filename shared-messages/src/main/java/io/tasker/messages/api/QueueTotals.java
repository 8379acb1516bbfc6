package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Sums over every queue; oldest_msg_age_sec is the oldest message of any (null when all empty). */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record QueueTotals(
        @JsonProperty("queues") int queues,
        @JsonProperty("queue_length") long queueLength,
        @JsonProperty("total_messages") long totalMessages,
        @JsonProperty("oldest_msg_age_sec") Integer oldestMsgAgeSec) {}

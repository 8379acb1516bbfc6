package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Depth and age of one pgmq queue: messages in it now, the ages in seconds of its oldest and newest
 * message (null when it is empty), and messages ever sent to it.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record QueueStats(
        @JsonProperty("queue_name") String queueName,
        @JsonProperty("queue_length") long queueLength,
        @JsonProperty("oldest_msg_age_sec") Integer oldestMsgAgeSec,
        @JsonProperty("newest_msg_age_sec") Integer newestMsgAgeSec,
        @JsonProperty("total_messages") long totalMessages) {}

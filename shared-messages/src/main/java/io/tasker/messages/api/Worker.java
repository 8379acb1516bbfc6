package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A worker process as the registry knows it: what it serves and runs, and when it was last seen.
 * {@code stopped_at} is set when it shut down gracefully.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Worker(
        @JsonProperty("worker_id") String workerId,
        @JsonProperty("host") String host,
        @JsonProperty("namespaces") List<String> namespaces,
        @JsonProperty("handlers") List<String> handlers,
        @JsonProperty("sdk_version") String sdkVersion,
        @JsonProperty("status") WorkerStatus status,
        @JsonProperty("started_at") @WireTimestamp OffsetDateTime startedAt,
        @JsonProperty("last_seen_at") @WireTimestamp OffsetDateTime lastSeenAt,
        @JsonProperty("stopped_at") @WireTimestamp OffsetDateTime stoppedAt) {}

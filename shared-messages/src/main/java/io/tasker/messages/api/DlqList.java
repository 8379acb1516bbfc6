package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** DLQ entries, newest first. */
public record DlqList(@JsonProperty("dlq_entries") List<DlqEntry> dlqEntries) {}

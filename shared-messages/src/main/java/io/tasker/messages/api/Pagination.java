package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a page sits in a list: its limit and offset, how many items it has, whether more follow.
 */
public record Pagination(
        @JsonProperty("limit") int limit,
        @JsonProperty("offset") int offset,
        @JsonProperty("count") int count,
        @JsonProperty("has_more") boolean hasMore) {}

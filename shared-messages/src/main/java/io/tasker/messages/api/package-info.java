/**
 * The request and response bodies of the orchestrator's HTTP API, as plain records with their
 * snake_case wire names. Free-form JSON (a task's context, a step's config and results, metadata,
 * stored documents) stays a {@link com.fasterxml.jackson.databind.JsonNode}; timestamps are {@link
 * java.time.OffsetDateTime} written by {@link io.tasker.messages.api.WireTimestamp}. Response
 * records write null members (the API always did); request records leave them out.
 */
package io.tasker.messages.api;

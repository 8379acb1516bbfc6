package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Every API key, newest first, revoked ones included. */
public record ApiKeyList(@JsonProperty("api_keys") List<ApiKey> apiKeys) {}

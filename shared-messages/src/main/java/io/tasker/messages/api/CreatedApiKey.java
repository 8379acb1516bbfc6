package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The answer to {@code POST /v1/api-keys}: the key itself, shown this once (only an HMAC of it is
 * stored), and the stored record.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record CreatedApiKey(
        @JsonProperty("key")
                @Schema(
                        description =
                                "`tk_<prefix>_<secret>`: send it as `Authorization: Bearer` or"
                                        + " `X-API-Key`. It cannot be read again.")
                String key,
        @JsonProperty("api_key") ApiKey apiKey) {}

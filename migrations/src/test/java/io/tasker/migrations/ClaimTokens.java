package io.tasker.migrations;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the claim token out of the JSON text {@code tasker.claim_step} returns. */
final class ClaimTokens {

    private static final Pattern TOKEN = Pattern.compile("\"claim_token\": \"([0-9a-f-]{36})\"");

    private ClaimTokens() {}

    /** The token of a claim, or {@code null} when the claim was not granted. */
    static UUID of(String claim) {
        Matcher m = TOKEN.matcher(claim == null ? "" : claim);
        return m.find() ? UUID.fromString(m.group(1)) : null;
    }
}

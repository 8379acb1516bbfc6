package io.tasker.orchestrator.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The API key format and its HMAC. A key is {@code tk_<prefix>_<secret>}: the prefix is 12 hex
 * characters (48 random bits, the lookup id, stored in clear), the secret 32 base64url characters
 * (192 random bits). Only HMAC-SHA-256(key-secret, whole key) is stored.
 */
public final class ApiKeyCodec {

    /** The shortest {@code tasker.auth.key-secret} accepted. */
    public static final int MIN_SECRET_LENGTH = 32;

    private static final Pattern FORMAT = Pattern.compile("tk_([0-9a-f]{12})_[A-Za-z0-9_-]{32}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec secret;

    public ApiKeyCodec(String keySecret) {
        this.secret = new SecretKeySpec(keySecret.getBytes(StandardCharsets.UTF_8), HMAC);
    }

    /** A new random key. */
    public static String generate() {
        byte[] prefix = new byte[6];
        byte[] secret = new byte[24];
        RANDOM.nextBytes(prefix);
        RANDOM.nextBytes(secret);
        return "tk_"
                + HexFormat.of().formatHex(prefix)
                + "_"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** Whether a presented credential is meant as an API key (and not as a JWT). */
    public static boolean looksLikeKey(String credential) {
        return credential.startsWith("tk_");
    }

    /** The lookup prefix of a well-formed key, or empty for anything else. */
    public static Optional<String> prefix(String key) {
        var m = FORMAT.matcher(key);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** HMAC-SHA-256 of the whole key under the server-side secret. */
    public byte[] hmac(String key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(secret);
            return mac.doFinal(key.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Constant-time comparison of two HMACs. */
    public static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}

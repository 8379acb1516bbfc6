package io.tasker.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The development credentials of {@code ./tasker up}: a key secret and a bootstrap admin key,
 * generated once and kept (owner-readable only) under {@code .tasker-data/auth/}, so the key stays
 * valid across restarts. {@code ./tasker demo} reads the key from there unless {@code
 * TASKER_API_KEY} is set. Authentication stays on, as in production.
 */
final class DevCredentials {

    private static final SecureRandom RANDOM = new SecureRandom();

    final String keySecret;
    final String adminKey;
    final Path adminKeyFile;

    private DevCredentials(String keySecret, String adminKey, Path adminKeyFile) {
        this.keySecret = keySecret;
        this.adminKey = adminKey;
        this.adminKeyFile = adminKeyFile;
    }

    /** The stack's credentials, created on the first {@code up}. */
    static DevCredentials createOrLoad(Path data) {
        Path dir = data.resolve("auth");
        Path secretFile = dir.resolve("key-secret");
        Path keyFile = dir.resolve("admin-key");
        try {
            Files.createDirectories(dir);
            if (!Files.exists(secretFile) || !Files.exists(keyFile)) {
                write(secretFile, Base64.getEncoder().encodeToString(bytes(48)));
                write(keyFile, newKey());
            }
            return new DevCredentials(read(secretFile), read(keyFile), keyFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key {@code demo} sends: {@code TASKER_API_KEY}, else the one {@code up} wrote. */
    static String apiKey(Path data) {
        String fromEnv = System.getenv("TASKER_API_KEY");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        Path keyFile = data.resolve("auth").resolve("admin-key");
        try {
            return Files.exists(keyFile) ? read(keyFile) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An API key in the orchestrator's format, {@code tk_<12 hex>_<32 base64url>}. */
    private static String newKey() {
        return "tk_"
                + HexFormat.of().formatHex(bytes(6))
                + "_"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(24));
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the file keeps its default permissions.
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
}

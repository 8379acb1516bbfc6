package io.tasker.orchestrator.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthSettingsTest {

    private static final Optional<String> SECRET = Optional.of("s".repeat(32));

    @Test
    void a_missing_or_short_key_secret_stops_the_start_naming_the_setting() {
        assertThatThrownBy(
                        () -> ApiKeyStore.requireUsableSettings(Optional.empty(), Optional.empty()))
                .hasMessageContaining("TASKER_AUTH_KEY_SECRET")
                .hasMessageContaining("not set");
        assertThatThrownBy(
                        () ->
                                ApiKeyStore.requireUsableSettings(
                                        Optional.of("s".repeat(31)), Optional.empty()))
                .hasMessageContaining("too short");
        assertThatCode(() -> ApiKeyStore.requireUsableSettings(SECRET, Optional.empty()))
                .doesNotThrowAnyException();
    }

    @Test
    void a_malformed_bootstrap_key_stops_the_start() {
        assertThatThrownBy(() -> ApiKeyStore.requireUsableSettings(SECRET, Optional.of("tk_admin")))
                .hasMessageContaining("TASKER_AUTH_BOOTSTRAP_ADMIN_KEY");
        assertThatCode(
                        () ->
                                ApiKeyStore.requireUsableSettings(
                                        SECRET, Optional.of(ApiKeyCodec.generate())))
                .doesNotThrowAnyException();
    }

    @Test
    void generated_keys_have_the_format_and_their_hmacs_differ_by_secret() {
        String key = ApiKeyCodec.generate();
        assertThat(key).matches("tk_[0-9a-f]{12}_[A-Za-z0-9_-]{32}");
        assertThat(ApiKeyCodec.prefix(key)).contains(key.substring(3, 15));
        assertThat(ApiKeyCodec.generate()).isNotEqualTo(key);
        byte[] a = new ApiKeyCodec("a".repeat(32)).hmac(key);
        assertThat(a).hasSize(32);
        assertThat(ApiKeyCodec.same(a, new ApiKeyCodec("a".repeat(32)).hmac(key))).isTrue();
        assertThat(ApiKeyCodec.same(a, new ApiKeyCodec("b".repeat(32)).hmac(key))).isFalse();
    }
}

package io.tasker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TaskerClientOptionsTest {

    @Test
    void defaults_are_five_seconds_to_connect_thirty_to_answer_and_no_authorization() {
        TaskerClientOptions o = TaskerClientOptions.builder("http://localhost:8080/").build();

        assertThat(o.baseUri()).isEqualTo(URI.create("http://localhost:8080"));
        assertThat(o.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.authorization()).isEmpty();
        assertThat(o.userAgent()).isEqualTo("tasker-client/1");
    }

    @Test
    void to_builder_changes_a_copy_and_leaves_the_original_as_it_was() {
        TaskerClientOptions o =
                TaskerClientOptions.builder("https://tasker.example.com")
                        .authorization("Bearer secret")
                        .build();

        TaskerClientOptions slower = o.toBuilder().requestTimeout(Duration.ofMinutes(2)).build();

        assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(slower.requestTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(slower.authorization().orElseThrow().get()).isEqualTo("Bearer secret");
        // The header value is not printed.
        assertThat(o.toString()).contains("authorization=set").doesNotContain("secret");
    }

    @Test
    void invalid_options_are_refused_when_set() {
        assertThatThrownBy(() -> TaskerClientOptions.builder("ftp://host"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http or https");
        assertThatThrownBy(() -> TaskerClientOptions.builder("http://host/?a=1"))
                .hasMessageContaining("no query");
        var b = TaskerClientOptions.builder("http://host");
        assertThatThrownBy(() -> b.requestTimeout(Duration.ZERO))
                .hasMessageContaining("requestTimeout must be positive");
        assertThatThrownBy(() -> b.connectTimeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("connectTimeout must be positive");
        assertThatThrownBy(() -> b.userAgent(" ")).hasMessageContaining("userAgent");
    }

    @Test
    void retry_after_is_read_in_seconds_or_as_an_http_date() {
        assertThat(TaskerApiException.parseRetryAfter("3")).contains(Duration.ofSeconds(3));
        assertThat(TaskerApiException.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"))
                .contains(Duration.ZERO);
        assertThat(TaskerApiException.parseRetryAfter("soon")).isEmpty();
    }
}

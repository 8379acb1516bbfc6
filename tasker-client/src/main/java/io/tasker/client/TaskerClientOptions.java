package io.tasker.client;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How a {@link TaskerClient} reaches the orchestrator: its base URI, timeouts, an optional {@code
 * Authorization} header and the {@code User-Agent}. Immutable; build one with {@link #builder}.
 */
public final class TaskerClientOptions {

    /** The {@code User-Agent} sent when none is set. */
    public static final String DEFAULT_USER_AGENT = "tasker-client/1";

    private final URI baseUri;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Supplier<String> authorization;
    private final String userAgent;

    private TaskerClientOptions(Builder b) {
        this.baseUri = b.baseUri;
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.authorization = b.authorization;
        this.userAgent = b.userAgent;
    }

    /** A builder for an orchestrator at {@code baseUri}, e.g. {@code http://localhost:8080}. */
    public static Builder builder(URI baseUri) {
        return new Builder(baseUri);
    }

    /** A builder for an orchestrator at {@code baseUri}, e.g. {@code http://localhost:8080}. */
    public static Builder builder(String baseUri) {
        return new Builder(URI.create(baseUri));
    }

    /** The orchestrator's base URI, without a trailing slash; API paths start with {@code /v1}. */
    public URI baseUri() {
        return baseUri;
    }

    /** How long opening a TCP connection may take (default 5 s). */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long one request may wait for its answer (default 30 s). */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * The supplier of the {@code Authorization} header's value, asked before every request so that
     * a token can be refreshed; empty when requests carry no such header.
     */
    public Optional<Supplier<String>> authorization() {
        return Optional.ofNullable(authorization);
    }

    public String userAgent() {
        return userAgent;
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        Builder b = new Builder(baseUri);
        b.connectTimeout = connectTimeout;
        b.requestTimeout = requestTimeout;
        b.authorization = authorization;
        b.userAgent = userAgent;
        return b;
    }

    @Override
    public String toString() {
        return "TaskerClientOptions[baseUri="
                + baseUri
                + ", connectTimeout="
                + connectTimeout
                + ", requestTimeout="
                + requestTimeout
                + ", authorization="
                + (authorization == null ? "none" : "set")
                + ", userAgent="
                + userAgent
                + "]";
    }

    /** Collects the options; every setter checks its value at once. */
    public static final class Builder {
        private URI baseUri;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Supplier<String> authorization;
        private String userAgent = DEFAULT_USER_AGENT;

        private Builder(URI baseUri) {
            baseUri(baseUri);
        }

        public Builder baseUri(URI uri) {
            Objects.requireNonNull(uri, "baseUri");
            String scheme = uri.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                throw new IllegalArgumentException(
                        "baseUri must be an http or https URI, not " + uri);
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException(
                        "baseUri must have no query or fragment: " + uri);
            }
            String text = uri.toString();
            while (text.endsWith("/")) {
                text = text.substring(0, text.length() - 1);
            }
            this.baseUri = URI.create(text);
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive("requestTimeout", timeout);
            return this;
        }

        /** A fixed {@code Authorization} header value, e.g. {@code "Bearer abc"}. */
        public Builder authorization(String value) {
            Objects.requireNonNull(value, "authorization");
            return authorization(() -> value);
        }

        /** The {@code Authorization} header value, asked for before every request. */
        public Builder authorization(Supplier<String> supplier) {
            this.authorization = Objects.requireNonNull(supplier, "authorization");
            return this;
        }

        public Builder userAgent(String value) {
            Objects.requireNonNull(value, "userAgent");
            if (value.isBlank()) {
                throw new IllegalArgumentException("userAgent must not be blank");
            }
            this.userAgent = value;
            return this;
        }

        public TaskerClientOptions build() {
            return new TaskerClientOptions(this);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, not " + d);
            }
            return d;
        }
    }
}

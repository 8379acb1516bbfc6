package io.tasker.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/**
 * One {@link HttpClient} (HTTP/1.1, kept-alive connections) and the JSON mapping: builds each
 * request, sends it, and turns the answer into a record or an exception.
 */
final class Transport {

    static final String JSON = "application/json";

    private final TaskerClientOptions options;
    private final ObjectMapper mapper;
    private final HttpClient http;

    Transport(TaskerClientOptions options, ObjectMapper mapper) {
        this.options = options;
        this.mapper = mapper;
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(options.connectTimeout())
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
    }

    /** A request to {@code path} (already encoded) with the query parameters that are not null. */
    Call call(String method, String path, Map<String, ?> query) {
        return new Call(method, uri(path, query));
    }

    private URI uri(String path, Map<String, ?> query) {
        StringBuilder s = new StringBuilder(options.baseUri().toString()).append(path);
        if (query != null) {
            StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
            query.forEach(
                    (k, v) -> {
                        if (v != null) {
                            q.add(encode(k) + "=" + encode(String.valueOf(v)));
                        }
                    });
            s.append(q);
        }
        return URI.create(s.toString());
    }

    /** One path segment, percent-encoded: a name with a slash or a space stays one segment. */
    static String segment(Object value) {
        return encode(String.valueOf(value));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** One request under construction. */
    final class Call {
        private final String method;
        private final URI uri;
        private HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
        private String contentType;

        private Call(String method, URI uri) {
            this.method = method;
            this.uri = uri;
        }

        /** A JSON body written from a record (or any value Jackson writes). */
        Call json(Object value) {
            try {
                return body(JSON, mapper.writeValueAsBytes(value));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("the request body cannot be written as JSON", e);
            }
        }

        Call body(String type, byte[] bytes) {
            this.contentType = type;
            this.body = HttpRequest.BodyPublishers.ofByteArray(bytes);
            return this;
        }

        /** Sends the request; a 2xx answer is decoded as {@code type}, anything else throws. */
        <T> T send(Class<T> type) {
            return decode(exchange(), type);
        }

        /** Sends the request and returns the answer, whatever its status. */
        private HttpResponse<byte[]> exchange() {
            HttpRequest.Builder b =
                    HttpRequest.newBuilder(uri)
                            .method(method, body)
                            .timeout(options.requestTimeout())
                            .header("Accept", JSON + ", application/problem+json")
                            .header("User-Agent", options.userAgent());
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
            options.authorization().ifPresent(a -> b.header("Authorization", a.get()));
            try {
                return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new TaskerConnectionException(method, uri, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TaskerClientException(method + " " + uri + " was interrupted", e);
            }
        }

        private <T> T decode(HttpResponse<byte[]> r, Class<T> type) {
            if (r.statusCode() / 100 != 2) {
                throw TaskerApiException.of(method, uri, r.statusCode(), r.headers(), r.body());
            }
            try {
                return mapper.readValue(r.body(), type);
            } catch (IOException e) {
                throw new TaskerClientException(
                        method
                                + " "
                                + uri
                                + " answered "
                                + r.statusCode()
                                + " with a body that is not a "
                                + type.getSimpleName()
                                + ": "
                                + (e instanceof JsonProcessingException j
                                        ? j.getOriginalMessage()
                                        : e.getMessage()),
                        e);
            }
        }
    }

    static String excerpt(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}

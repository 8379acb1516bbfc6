package io.tasker.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * An HTTP server on a free local port that records every request and answers from a queue of canned
 * responses (the last one repeats), so tests can check what the client sends and how it reads the
 * answer.
 */
final class FakeOrchestrator implements AutoCloseable {

    /** A request as the server saw it. */
    record Recorded(
            String method,
            String path,
            String rawQuery,
            Map<String, List<String>> headers,
            String body,
            String protocol,
            int clientPort) {

        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** A canned answer. */
    record Answer(
            int status,
            String contentType,
            String body,
            Map<String, String> headers,
            long delayMillis) {}

    private final HttpServer server;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final Deque<Answer> answers = new ArrayDeque<>();
    private Answer last;

    FakeOrchestrator() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    FakeOrchestrator answer(int status, String json) {
        return answer(status, "application/json", json, Map.of());
    }

    FakeOrchestrator problem(int status, String json, Map<String, String> headers) {
        return answer(status, "application/problem+json", json, headers);
    }

    synchronized FakeOrchestrator answer(
            int status, String contentType, String body, Map<String, String> headers) {
        answers.add(new Answer(status, contentType, body, headers, 0));
        return this;
    }

    /** An answer sent only after {@code delayMillis}: for timeouts. */
    synchronized FakeOrchestrator slowAnswer(int status, String json, long delayMillis) {
        answers.add(new Answer(status, "application/json", json, Map.of(), delayMillis));
        return this;
    }

    List<Recorded> requests() {
        return requests;
    }

    Recorded lastRequest() {
        return requests.get(requests.size() - 1);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(
                new Recorded(
                        exchange.getRequestMethod(),
                        exchange.getRequestURI().getRawPath(),
                        exchange.getRequestURI().getRawQuery(),
                        Map.copyOf(exchange.getRequestHeaders()),
                        body,
                        exchange.getProtocol(),
                        exchange.getRemoteAddress().getPort()));
        Answer a = next();
        if (a.delayMillis() > 0) {
            try {
                Thread.sleep(a.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", a.contentType());
        a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private synchronized Answer next() {
        if (!answers.isEmpty()) {
            last = answers.poll();
        }
        if (last == null) {
            return new Answer(500, "text/plain", "no answer prepared", Map.of(), 0);
        }
        return last;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}

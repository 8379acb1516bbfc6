package io.tasker.worker.internal.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.tasker.worker.StepContext;
import io.tasker.worker.StepResult;
import io.tasker.worker.internal.config.WorkerConfig;
import io.tasker.worker.internal.handler.HandlerRegistry;
import io.tasker.worker.internal.handler.RegisteredHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shipped templates: found on the classpath, checked against the handlers, registered through an
 * orchestrator's HTTP API (here a small in-test server answering as the orchestrator does).
 */
class TemplateRegistrarTest {

    private static final String ORDER =
            """
            namespace: shop
            name: order
            version: "1.2.0"
            steps:
              - name: check
                handler: shop.check
              - name: pack
                handler: shop.pack
                depends_on: [check]
              - name: label
                handler: printing.label
                namespace: shop_printing
                depends_on: [pack]
            """;

    private static final String OTHER_TEAM =
            """
            {"namespace": "billing", "name": "invoice", "version": "1.0.0",
             "steps": [{"name": "bill", "handler": "billing.bill"}]}
            """;

    @TempDir Path tmp;

    private HttpServer server;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger answer = new AtomicInteger(201);

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void templates_are_found_in_a_classpath_directory_and_in_a_jar() throws IOException {
        Path dir = tmp.resolve("classes/tasker/templates");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("order.yaml"), ORDER);
        Files.writeString(dir.resolve("notes.txt"), "not a template");
        Files.createDirectories(dir.resolve("nested"));
        Files.writeString(dir.resolve("nested/deeper.yaml"), ORDER);
        Path jar = tmp.resolve("lib.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("tasker/"));
            out.putNextEntry(new JarEntry("tasker/templates/"));
            out.putNextEntry(new JarEntry("tasker/templates/invoice.json"));
            out.write(OTHER_TEAM.getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new JarEntry("tasker/templates/readme.md"));
            out.write("no".getBytes(StandardCharsets.UTF_8));
        }

        List<ShippedTemplate> found;
        try (URLClassLoader loader =
                new URLClassLoader(
                        new URL[] {tmp.resolve("classes").toUri().toURL(), jar.toUri().toURL()},
                        null)) {
            found = TemplateFiles.find(loader);
        }

        assertThat(found)
                .extracting(ShippedTemplate::label)
                .containsExactlyInAnyOrder("shop/order@1.2.0", "billing/invoice@1.0.0");
        ShippedTemplate invoice =
                found.stream().filter(ShippedTemplate::json).findFirst().orElseThrow();
        assertThat(invoice.source()).endsWith("lib.jar!/tasker/templates/invoice.json");
        assertThat(invoice.body()).isEqualTo(OTHER_TEAM);
        ShippedTemplate order = found.stream().filter(t -> !t.json()).findFirst().orElseThrow();
        assertThat(order.steps())
                .containsExactly(
                        new ShippedTemplate.StepHandlerName("check", "shop.check", "shop"),
                        new ShippedTemplate.StepHandlerName("pack", "shop.pack", "shop"),
                        new ShippedTemplate.StepHandlerName(
                                "label", "printing.label", "shop_printing"));
    }

    @Test
    void a_template_file_that_does_not_parse_is_named() {
        assertThatThrownBy(() -> TemplateFiles.parse("tasker/templates/bad.yaml", "steps: [a"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("template tasker/templates/bad.yaml cannot be parsed");
        assertThatThrownBy(() -> TemplateFiles.parse("tasker/templates/list.yaml", "- a\n- b"))
                .hasMessageContaining("is not a YAML or JSON map");
    }

    @Test
    void a_step_naming_a_handler_the_worker_lacks_in_a_served_namespace_stops_the_start() {
        startServer();
        TemplateRegistrar registrar = registrar(Map.of(), handlers("shop.check"));

        assertThatThrownBy(() -> registrar.start(shipped()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(
                        "template shop/order@1.2.0 (order.yaml): step 'pack' names handler"
                                + " 'shop.pack', which this worker does not have")
                // billing is not served here, nor is shop_printing, where the step 'label' runs:
                // their handlers are another application's.
                .message()
                .doesNotContain("billing")
                .doesNotContain("printing.label");
        assertThat(received).isEmpty();
    }

    @Test
    void templates_are_registered_with_the_api_key_as_bearer_token_and_readiness_turns_up() {
        startServer();
        TemplateRegistrar registrar =
                registrar(
                        Map.of("tasker.worker.orchestrator.api-key", "s3cret"),
                        handlers("shop.check", "shop.pack"));

        registrar.start(shipped());

        assertThat(received).containsExactly(ORDER, OTHER_TEAM);
        assertThat(authorizations).containsOnly("Bearer s3cret");
        assertThat(new TemplatesReadiness(registrar).call().getStatus().name()).isEqualTo("UP");
        assertThat(registrar.status().detail()).isEqualTo("2 templates registered");
    }

    @Test
    void an_identical_template_already_registered_is_fine() {
        startServer();
        answer.set(200);
        TemplateRegistrar registrar = registrar(Map.of(), handlers("shop.check", "shop.pack"));

        registrar.start(shipped());

        assertThat(registrar.status().done()).isTrue();
        assertThat(authorizations).containsOnly("none");
    }

    @Test
    void a_different_body_under_a_registered_version_stops_the_start_naming_template_and_version() {
        startServer();
        answer.set(409);
        TemplateRegistrar registrar = registrar(Map.of(), handlers("shop.check", "shop.pack"));

        assertThatThrownBy(() -> registrar.start(shipped()))
                .isInstanceOf(TemplateRejectedException.class)
                .hasMessageContaining(
                        "template shop/order@1.2.0 (order.yaml) is already registered with"
                                + " different content: version 1.2.0 of shop/order cannot change");
    }

    @Test
    void no_orchestrator_url_stops_the_start_unless_registration_is_disabled() {
        Map<String, String> noUrl = new HashMap<>();
        noUrl.put("tasker.worker.orchestrator.url", "");
        TemplateRegistrar registrar = registrar(noUrl, handlers("shop.check", "shop.pack"));
        assertThatThrownBy(() -> registrar.start(shipped()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tasker.worker.orchestrator.url")
                .hasMessageContaining("tasker.worker.templates.register=false");

        noUrl.put("tasker.worker.templates.register", "false");
        TemplateRegistrar disabled = registrar(noUrl, handlers("shop.check", "shop.pack"));
        disabled.start(shipped());
        assertThat(disabled.status().done()).isTrue();
        assertThat(disabled.status().detail()).contains("registration disabled");
    }

    @Test
    void an_unreachable_orchestrator_is_retried_and_readiness_says_why_until_it_answers()
            throws IOException {
        int port = freePort();
        String url = "http://localhost:" + port;
        TemplateRegistrar registrar =
                registrar(
                        Map.of("tasker.worker.orchestrator.url", url),
                        handlers("shop.check", "shop.pack"));

        registrar.start(shipped());

        assertThat(registrar.status().done()).isFalse();
        assertThat(registrar.status().detail())
                .startsWith("templates not registered: orchestrator unreachable at " + url + ": ");
        assertThat(new TemplatesReadiness(registrar).call().getStatus().name()).isEqualTo("DOWN");

        server = HttpServer.create(new InetSocketAddress("localhost", port), 0);
        serve();
        await().atMost(Duration.ofSeconds(20)).until(() -> registrar.status().done());
        assertThat(received).containsExactly(ORDER, OTHER_TEAM);
        registrar.onStop(null);
    }

    @Test
    void a_conflict_learnt_while_retrying_stops_the_worker() throws IOException {
        int port = freePort();
        TemplateRegistrar registrar =
                registrar(
                        Map.of("tasker.worker.orchestrator.url", "http://localhost:" + port),
                        handlers("shop.check", "shop.pack"));
        AtomicReference<Integer> exitCode = new AtomicReference<>();
        registrar.exit = exitCode::set;
        registrar.start(shipped());
        answer.set(409);

        server = HttpServer.create(new InetSocketAddress("localhost", port), 0);
        serve();

        await().atMost(Duration.ofSeconds(20)).until(() -> exitCode.get() != null);
        assertThat(exitCode.get()).isEqualTo(1);
        assertThat(registrar.status().done()).isFalse();
        assertThat(registrar.status().detail())
                .contains("shop/order@1.2.0 (order.yaml) is already registered");
    }

    // --- helpers ---------------------------------------------------------------------------------

    private List<ShippedTemplate> shipped() {
        return List.of(
                TemplateFiles.parse("order.yaml", ORDER),
                TemplateFiles.parse("invoice.json", OTHER_TEAM));
    }

    private TemplateRegistrar registrar(Map<String, String> extra, HandlerRegistry handlers) {
        Map<String, String> props = new HashMap<>();
        props.put("tasker.worker.namespaces", "shop");
        props.put("tasker.worker.templates.retry-initial-backoff", "50ms");
        props.put("tasker.worker.templates.retry-max-backoff", "200ms");
        if (server != null) {
            props.put(
                    "tasker.worker.orchestrator.url",
                    "http://localhost:" + server.getAddress().getPort());
        }
        props.putAll(extra);
        SmallRyeConfig config =
                new SmallRyeConfigBuilder()
                        .withConverter(Duration.class, 200, new DurationConverter())
                        .withMapping(TemplatesConfig.class)
                        .withMapping(WorkerConfig.class)
                        .withSources(new PropertiesConfigSource(props, "test", 500))
                        .build();
        return new TemplateRegistrar(
                config.getConfigMapping(TemplatesConfig.class),
                config.getConfigMapping(WorkerConfig.class),
                handlers);
    }

    private static HandlerRegistry handlers(String... names) {
        RegisteredHandler[] handlers = new RegisteredHandler[names.length];
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            handlers[i] =
                    new RegisteredHandler() {
                        @Override
                        public String name() {
                            return name;
                        }

                        @Override
                        public String source() {
                            return "test";
                        }

                        @Override
                        public StepResult invoke(StepContext context) {
                            return StepResult.success(null);
                        }
                    };
        }
        return HandlerRegistry.of(handlers);
    }

    private void startServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        serve();
    }

    /** Answers {@code POST /v1/templates} as the orchestrator does, with {@link #answer}. */
    private void serve() {
        server.createContext(
                "/v1/templates",
                exchange -> {
                    received.add(
                            new String(
                                    exchange.getRequestBody().readAllBytes(),
                                    StandardCharsets.UTF_8));
                    String auth = exchange.getRequestHeaders().getFirst("Authorization");
                    authorizations.add(auth == null ? "none" : auth);
                    int status = answer.get();
                    String body =
                            status == 409
                                    ? "{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,"
                                            + "\"code\":\"template_version_conflict\",\"retryable\":false}"
                                    : "{\"namespace\":\"shop\",\"name\":\"order\","
                                            + "\"version\":\"1.2.0\",\"created\":"
                                            + (status == 201)
                                            + "}";
                    exchange.getResponseHeaders()
                            .add(
                                    "Content-Type",
                                    status == 409
                                            ? "application/problem+json"
                                            : "application/json");
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(status, bytes.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(bytes);
                    }
                });
        server.start();
    }

    private static int freePort() throws IOException {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

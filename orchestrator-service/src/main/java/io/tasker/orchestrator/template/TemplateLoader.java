package io.tasker.orchestrator.template;

import io.quarkus.runtime.StartupEvent;
import io.tasker.orchestrator.config.OrchestratorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/** Registers the templates found in {@code tasker.templates.path} when the orchestrator starts. */
@ApplicationScoped
public class TemplateLoader {

    private static final Logger LOG = Logger.getLogger(TemplateLoader.class);

    private final OrchestratorConfig config;
    private final TemplateService templates;

    public TemplateLoader(OrchestratorConfig config, TemplateService templates) {
        this.config = config;
        this.templates = templates;
    }

    void onStart(@Observes StartupEvent event) {
        config.templates().path().ifPresent(this::loadDirectory);
    }

    /**
     * Registers every template file of a directory; a bad template stops the start with its
     * problems.
     */
    public void loadDirectory(String directory) {
        Path dir = Path.of(directory);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(
                    "tasker.templates.path " + dir.toAbsolutePath() + " is not a directory");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().matches(".*\\.(ya?ml|json)$")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir, e);
        }
        for (Path file : files) {
            try {
                String body = Files.readString(file);
                var r =
                        templates
                                .register(body, !file.toString().endsWith(".json"))
                                .await()
                                .atMost(Duration.ofSeconds(60));
                LOG.infof(
                        "template %s/%s@%s from %s (%s)",
                        r.template().namespace(),
                        r.template().name(),
                        r.template().version(),
                        file.getFileName(),
                        r.created() ? "registered" : "already registered");
            } catch (IOException e) {
                throw new IllegalStateException("cannot read template " + file, e);
            } catch (io.tasker.orchestrator.rest.ApiException e) {
                throw new IllegalStateException(
                        "template " + file + " rejected: " + e.getMessage() + " " + e.errors(), e);
            }
        }
    }
}

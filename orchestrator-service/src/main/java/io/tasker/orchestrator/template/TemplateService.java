package io.tasker.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.QueueNames;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.orchestrator.rest.JsonBodies;
import io.tasker.orchestrator.template.TemplateRepository.StoredTemplate;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/** Registers and reads versioned task templates. */
@ApplicationScoped
public class TemplateService {

    private static final Logger LOG = Logger.getLogger(TemplateService.class);

    /** The outcome of a registration: the stored version and whether this call created it. */
    public record Registration(StoredTemplate template, boolean created) {}

    private final Pool pool;
    private final TemplateRepository repository;
    private final TemplateValidator validator;
    private final TemplateDocuments documents;
    private final JsonBodies bodies;
    private final TemplateCache cache;

    public TemplateService(
            Pool pool,
            TemplateRepository repository,
            OrchestratorConfig config,
            InputSchemas schemas,
            TemplateSchema schema,
            JsonBodies bodies) {
        this.pool = pool;
        this.repository = repository;
        this.validator = new TemplateValidator(schema, schemas);
        this.documents = new TemplateDocuments(config.templates().limits());
        this.bodies = bodies;
        this.cache = new TemplateCache(config.templates().cache());
    }

    /**
     * Parses, validates and stores a template version, creating its namespaces and their queues
     * (the template's and those its steps name), in one transaction. The same content again is a
     * no-op; other content under an existing version is a conflict. Parsing and validation (graph
     * checks, schema compilation) run on a worker thread, never on the event loop.
     */
    public Uni<Registration> register(String body, boolean yaml) {
        return register(body, yaml, namespace -> {});
    }

    /**
     * As {@link #register(String, boolean)}, with {@code namespaceCheck} called with the valid
     * template's namespace before anything is stored (it throws to refuse the namespace).
     */
    public Uni<Registration> register(
            String body, boolean yaml, java.util.function.Consumer<String> namespaceCheck) {
        return Uni.createFrom()
                .item(() -> validated(checked(documents.parse(body, yaml))))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .invoke(
                        valid ->
                                namespaceCheck.accept(
                                        valid.result().template().get("namespace").asText()))
                .chain(valid -> store(valid.document(), valid.result().template()));
    }

    private record Validated(JsonNode document, TemplateValidator.Result result) {}

    /** The checks every API document gets (NUL characters, number sizes, depth, node count). */
    private JsonNode checked(JsonNode document) {
        bodies.check(document);
        return document;
    }

    private Validated validated(JsonNode document) {
        TemplateValidator.Result result = validator.validate(document);
        ApiException.requireNoProblems("invalid_template", "template", result.problems());
        return new Validated(document, result);
    }

    private Uni<Registration> store(JsonNode document, ObjectNode template) {
        // The hash covers the document as written, so a change of the global retry defaults does
        // not
        // turn re-registering an unchanged file into a conflict.
        String hash = JsonSupport.sha256Hex(JsonSupport.canonical(document));
        String namespace = template.get("namespace").asText();
        String name = template.get("name").asText();
        String version = template.get("version").asText();
        return pool.withTransaction(
                        tx ->
                                namespacesAndQueues(tx, namespaces(template))
                                        .chain(() -> repository.insertTemplate(tx, template, hash))
                                        .chain(
                                                inserted ->
                                                        repository
                                                                .find(tx, namespace, name, version)
                                                                .map(
                                                                        found ->
                                                                                toRegistration(
                                                                                        found
                                                                                                .orElseThrow(),
                                                                                        hash,
                                                                                        inserted
                                                                                                .isPresent()))))
                .invoke(
                        r -> {
                            cache.registered(namespace, name);
                            if (r.created()) {
                                LOG.infof("registered template %s/%s@%s", namespace, name, version);
                            }
                        });
    }

    /** The template's namespace, then each other namespace its steps name, once, in order. */
    static Set<String> namespaces(JsonNode template) {
        Set<String> namespaces = new LinkedHashSet<>();
        namespaces.add(template.get("namespace").asText());
        for (JsonNode step : template.get("steps")) {
            JsonNode namespace = step.path("namespace");
            if (namespace.isTextual()) {
                namespaces.add(namespace.asText());
            }
        }
        return namespaces;
    }

    /** Records each namespace and creates its worker queue unless they exist, one after another. */
    private Uni<Void> namespacesAndQueues(SqlClient tx, Set<String> namespaces) {
        Uni<Void> done = Uni.createFrom().voidItem();
        for (String namespace : namespaces) {
            done =
                    done.chain(() -> repository.insertNamespace(tx, namespace))
                            .chain(
                                    () ->
                                            repository.callEnsureQueue(
                                                    tx, QueueNames.workerQueue(namespace)));
        }
        return done;
    }

    private static Registration toRegistration(
            StoredTemplate stored, String hash, boolean created) {
        if (!stored.contentHash().equals(hash)) {
            throw ApiException.conflict(
                    "template_version_conflict",
                    "template "
                            + stored.namespace()
                            + "/"
                            + stored.name()
                            + "@"
                            + stored.version()
                            + " is already registered with different content; versions are immutable,"
                            + " register a new version",
                    Map.of("named_task_uuid", stored.namedTaskUuid().toString()));
        }
        return new Registration(stored, created);
    }

    public Uni<StoredTemplate> get(String namespace, String name, String version) {
        return required(
                repository.find(pool, namespace, name, version),
                "no template " + namespace + "/" + name + "@" + version);
    }

    /**
     * The named version, or the highest registered version when version is null. Versions are
     * immutable, so a named version is cached until unused for a while; "latest" only for {@code
     * tasker.templates.cache.latest-ttl} since another orchestrator may register a newer version.
     */
    public Uni<StoredTemplate> resolve(String namespace, String name, String version) {
        Optional<StoredTemplate> cached = cache.get(namespace, name, version);
        if (cached.isPresent()) {
            return Uni.createFrom().item(cached.get());
        }
        Uni<Optional<StoredTemplate>> found =
                version == null
                        ? repository.findLatest(pool, namespace, name)
                        : repository.find(pool, namespace, name, version);
        found = found.invoke(f -> f.ifPresent(t -> cache.put(namespace, name, version, t)));
        return required(
                found,
                "no template "
                        + namespace
                        + "/"
                        + name
                        + (version == null ? "" : "@" + version)
                        + " is registered");
    }

    private static Uni<StoredTemplate> required(
            Uni<Optional<StoredTemplate>> found, String detail) {
        return found.map(
                f -> f.orElseThrow(() -> ApiException.notFound("template_not_found", detail)));
    }

    public Uni<List<StoredTemplate>> list(String namespace) {
        return repository.list(pool, namespace);
    }
}

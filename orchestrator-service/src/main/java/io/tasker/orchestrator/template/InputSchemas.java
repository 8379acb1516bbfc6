package io.tasker.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.InputStreamSource;
import com.networknt.schema.resource.SchemaLoader;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.orchestrator.template.BudgetedRegularExpressions.PatternBudgetExceededException;
import io.tasker.orchestrator.template.TemplateRepository.StoredTemplate;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * JSON Schema (2020-12) checks: of a template's input_schema, and of a task's context against it. A
 * schema may only refer to itself and to the bundled 2020-12 meta-schemas: nothing is ever read
 * from a file or the network.
 */
@ApplicationScoped
public class InputSchemas {

    static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";

    /** The bundled meta-schema documents by id; the library maps these ids to "classpath:". */
    private static final Set<String> BUNDLED =
            Set.of(
                    META_SCHEMA,
                    "https://json-schema.org/draft/2020-12/meta/core",
                    "https://json-schema.org/draft/2020-12/meta/applicator",
                    "https://json-schema.org/draft/2020-12/meta/unevaluated",
                    "https://json-schema.org/draft/2020-12/meta/validation",
                    "https://json-schema.org/draft/2020-12/meta/meta-data",
                    "https://json-schema.org/draft/2020-12/meta/format-annotation",
                    "https://json-schema.org/draft/2020-12/meta/content");

    /** Keywords whose values are instance data, not schemas: a "$ref" inside them is just data. */
    private static final Set<String> DATA_KEYWORDS = Set.of("const", "enum", "default", "examples");

    private static final Set<String> REFERENCES = Set.of("$ref", "$dynamicRef");

    private final OrchestratorConfig.Templates.Limits limits;
    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig validatorsConfig;
    private final Cache<UUID, Compiled> compiled;
    private volatile JsonSchema metaSchema;

    /** A template's compiled schema, and whether validating against it runs regular expressions. */
    private record Compiled(JsonSchema schema, boolean usesPatterns) {}

    @Inject
    public InputSchemas(OrchestratorConfig config) {
        this(config.templates().limits(), config.templates().cache().maxSchemas());
    }

    /** With the default bound of compiled schemas (1000, tasker.templates.cache.max-schemas). */
    InputSchemas(OrchestratorConfig.Templates.Limits limits) {
        this(limits, 1000);
    }

    InputSchemas(OrchestratorConfig.Templates.Limits limits, int maxCompiledSchemas) {
        this.limits = limits;
        // A template version never changes, so its compiled schema stays valid: only the number
        // kept is bounded, and a dropped one is compiled again on its next use.
        this.compiled = Caffeine.newBuilder().maximumSize(maxCompiledSchemas).build();
        this.factory =
                JsonSchemaFactory.getInstance(
                        SpecVersion.VersionFlag.V202012,
                        builder ->
                                builder.schemaLoaders(
                                        loaders -> loaders.add(new BundledOnlyLoader())));
        this.validatorsConfig =
                SchemaValidatorsConfig.builder()
                        .regularExpressionFactory(
                                new BudgetedRegularExpressions(limits.patternMatchBudget()))
                        .build();
    }

    /**
     * What makes a schema unacceptable: its size, references leaving the document, over-long
     * patterns, or anything the 2020-12 meta-schema refuses. Empty when it is fine.
     */
    public List<String> checkSchema(JsonNode schema) {
        int bytes = JsonSupport.write(schema).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxInputSchemaBytes()) {
            return List.of(
                    "input_schema is "
                            + bytes
                            + " bytes as JSON, at most "
                            + limits.maxInputSchemaBytes()
                            + " allowed");
        }
        List<String> problems = new ArrayList<>(scan(schema));
        if (!problems.isEmpty()) {
            return problems;
        }
        try {
            for (ValidationMessage m : meta().validate(schema)) {
                problems.add("input_schema is not a valid JSON Schema: " + m.getMessage());
            }
            if (problems.isEmpty()) {
                factory.getSchema(schema, validatorsConfig);
            }
        } catch (RuntimeException e) {
            problems.add("input_schema is not a valid JSON Schema: " + e.getMessage());
        }
        return problems;
    }

    /**
     * Fails with a 400 {@code context_validation_failed} listing every violation of the template's
     * schema by the context. A schema with regular expressions is checked on a worker thread: its
     * matching may take up to the pattern budget, which the event loop must not wait for.
     */
    public Uni<Void> requireValidContext(StoredTemplate template, JsonNode context) {
        Compiled schema =
                compiled.get(template.namedTaskUuid(), id -> compile(template.inputSchema()));
        Uni<Void> check =
                Uni.createFrom()
                        .item(
                                () -> {
                                    List<String> violations = violations(schema, context);
                                    if (!violations.isEmpty()) {
                                        throw ApiException.badRequest(
                                                "context_validation_failed",
                                                "the context does not match the input_schema of "
                                                        + template.namespace()
                                                        + "/"
                                                        + template.name()
                                                        + "@"
                                                        + template.version(),
                                                violations);
                                    }
                                    return null;
                                });
        return schema.usesPatterns()
                ? check.runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                : check;
    }

    private List<String> violations(Compiled schema, JsonNode context) {
        try {
            return BudgetedRegularExpressions.withBudget(
                    limits.patternMatchBudget(),
                    () -> {
                        List<String> out = new ArrayList<>();
                        for (ValidationMessage m : schema.schema().validate(context)) {
                            out.add(m.getMessage());
                        }
                        out.sort(String::compareTo);
                        return out;
                    });
        } catch (PatternBudgetExceededException e) {
            return List.of(
                    e.getMessage()
                            + " ("
                            + limits.patternMatchBudget().toMillis()
                            + "ms for the whole context, tasker.templates.limits.pattern-match-budget)");
        }
    }

    /** Compiled schemas held now, after pending evictions (for tests). */
    long compiledSchemas() {
        compiled.cleanUp();
        return compiled.estimatedSize();
    }

    private Compiled compile(JsonNode schema) {
        return new Compiled(factory.getSchema(schema, validatorsConfig), usesPatterns(schema));
    }

    /**
     * The problems no meta-schema can see: references that would make the library fetch a document,
     * {@code $id} (it would rebase later references elsewhere), a foreign {@code $schema}, and
     * over-long regular expressions.
     */
    List<String> scan(JsonNode schema) {
        List<String> problems = new ArrayList<>();
        walk(
                schema,
                (location, key, value) -> {
                    String at = location + "/" + key;
                    if (REFERENCES.contains(key) && value.isTextual()) {
                        String ref = value.asText();
                        if (!ref.startsWith("#") && !BUNDLED.contains(stripEmptyFragment(ref))) {
                            problems.add(
                                    "input_schema: "
                                            + key
                                            + " '"
                                            + shorten(ref)
                                            + "' at "
                                            + at
                                            + " is not allowed: only references inside the schema"
                                            + " (starting with #) and the 2020-12 meta-schemas are");
                        }
                    } else if (key.equals("$id") && value.isTextual()) {
                        problems.add(
                                "input_schema: $id '"
                                        + shorten(value.asText())
                                        + "' at "
                                        + at
                                        + " is not allowed: the schema is identified by its"
                                        + " template; use $anchor to name a subschema");
                    } else if (key.equals("$schema")
                            && value.isTextual()
                            && !META_SCHEMA.equals(stripEmptyFragment(value.asText()))) {
                        problems.add(
                                "input_schema: $schema '"
                                        + shorten(value.asText())
                                        + "' at "
                                        + at
                                        + " is not allowed: input schemas are JSON Schema "
                                        + META_SCHEMA);
                    } else if (key.equals("pattern") && value.isTextual()) {
                        checkPattern(value.asText(), at, problems);
                    } else if (key.equals("patternProperties") && value.isObject()) {
                        for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
                            checkPattern(it.next(), at, problems);
                        }
                    }
                });
        return problems;
    }

    private void checkPattern(String pattern, String at, List<String> problems) {
        if (pattern.length() > limits.maxPatternLength()) {
            problems.add(
                    "input_schema: the regular expression at "
                            + at
                            + " is "
                            + pattern.length()
                            + " characters, at most "
                            + limits.maxPatternLength()
                            + " allowed");
        }
    }

    private static boolean usesPatterns(JsonNode schema) {
        boolean[] found = {false};
        walk(
                schema,
                (location, key, value) -> {
                    if ((key.equals("pattern") && value.isTextual())
                            || (key.equals("patternProperties") && value.isObject())) {
                        found[0] = true;
                    }
                });
        return found[0];
    }

    private interface KeywordVisitor {
        void visit(String location, String key, JsonNode value);
    }

    /** Visits every object member that may be a keyword, iteratively (no stack depth limit). */
    private static void walk(JsonNode root, KeywordVisitor visitor) {
        record Frame(String location, JsonNode node) {}
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame("", root));
        while (!stack.isEmpty()) {
            Frame frame = stack.pop();
            JsonNode node = frame.node();
            if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    stack.push(new Frame(frame.location() + "/" + i, node.get(i)));
                }
            } else if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    visitor.visit(frame.location(), field.getKey(), field.getValue());
                    if (!DATA_KEYWORDS.contains(field.getKey())) {
                        stack.push(
                                new Frame(
                                        frame.location() + "/" + field.getKey(), field.getValue()));
                    }
                }
            }
        }
    }

    private static String stripEmptyFragment(String iri) {
        return iri.endsWith("#") ? iri.substring(0, iri.length() - 1) : iri;
    }

    static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    private JsonSchema meta() {
        JsonSchema m = metaSchema;
        if (m == null) {
            m = factory.getSchema(SchemaLocation.of(SchemaId.V202012), validatorsConfig);
            metaSchema = m;
        }
        return m;
    }

    /**
     * The only loader the factory consults before its defaults: it serves the bundled meta-schemas
     * and refuses every other document, so the library's file and URL loaders are never reached.
     */
    static final class BundledOnlyLoader implements SchemaLoader {
        private static final String PREFIX = "classpath:";

        @Override
        public InputStreamSource getSchema(AbsoluteIri iri) {
            String location = iri.toString();
            if (location.startsWith(PREFIX)
                    && BUNDLED.contains(
                            "https://json-schema.org/" + location.substring(PREFIX.length()))) {
                String resource = location.substring(PREFIX.length());
                return () -> open(resource);
            }
            return () -> {
                throw new IOException(
                        "refused to load "
                                + shorten(location)
                                + ": input schemas may only refer to themselves");
            };
        }

        private static InputStream open(String resource) throws IOException {
            InputStream in = JsonSchemaFactory.class.getClassLoader().getResourceAsStream(resource);
            if (in == null) {
                throw new IOException("bundled meta-schema " + resource + " is missing");
            }
            return in;
        }
    }
}

package io.tasker.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.JsonSupport;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** SQL of the template tables. */
@ApplicationScoped
public class TemplateRepository {

    /** A registered template version. */
    public record StoredTemplate(
            UUID namedTaskUuid,
            String namespace,
            String name,
            String version,
            String contentHash,
            String identityStrategy,
            JsonNode configuration,
            String createdAt) {

        public JsonNode inputSchema() {
            return configuration.get("input_schema");
        }

        /** The namespaces whose queues this template's steps use: its own and any step's own. */
        public Set<String> stepNamespaces() {
            Set<String> namespaces = new LinkedHashSet<>();
            namespaces.add(namespace);
            for (JsonNode step : configuration.path("steps")) {
                JsonNode own = step.get("namespace");
                if (own != null && own.isTextual()) {
                    namespaces.add(own.asText());
                }
            }
            return namespaces;
        }
    }

    private static final String COLUMNS =
            "named_task_uuid, namespace, name, version, content_hash, identity_strategy, configuration::text,"
                    + " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

    private static final String INSERT_NAMESPACE =
            """
            INSERT INTO tasker.task_namespaces (name) VALUES ($1::text) ON CONFLICT (name) DO NOTHING
            """;

    private static final String INSERT_TEMPLATE =
            """
            INSERT INTO tasker.named_tasks
                (namespace, name, version, description, configuration, content_hash, identity_strategy)
            VALUES ($1::text, $2::text, $3::text, $4::text, $5::text::jsonb, $6::text, $7::text)
            ON CONFLICT (namespace, name, version) DO NOTHING
            RETURNING named_task_uuid
            """;

    private static final String FIND =
            "SELECT "
                    + COLUMNS
                    + " FROM tasker.named_tasks WHERE namespace = $1::text AND name = $2::text AND version = $3::text";

    // Highest version by numeric MAJOR.MINOR.PATCH order. numeric[], not int[]: registration bounds
    // each part to 9 digits, but a row stored before that bound must not make every read fail.
    private static final String FIND_LATEST =
            "SELECT "
                    + COLUMNS
                    + " FROM tasker.named_tasks WHERE namespace = $1::text AND name = $2::text"
                    + " ORDER BY string_to_array(version, '.')::numeric[] DESC LIMIT 1";

    private static final String LIST =
            "SELECT "
                    + COLUMNS
                    + " FROM tasker.named_tasks WHERE ($1::text IS NULL OR namespace = $1::text)"
                    + " ORDER BY namespace, name, string_to_array(version, '.')::numeric[]";

    private static final String ENSURE_QUEUE = "SELECT tasker.ensure_queue($1::text)";

    public Uni<Void> insertNamespace(SqlClient client, String namespace) {
        return client.preparedQuery(INSERT_NAMESPACE)
                .execute(Tuple.of(namespace))
                .replaceWithVoid();
    }

    /** Inserts a template version; empty when that version already exists. */
    public Uni<Optional<UUID>> insertTemplate(
            SqlClient client, JsonNode template, String contentHash) {
        Tuple args =
                Tuple.tuple()
                        .addString(template.get("namespace").asText())
                        .addString(template.get("name").asText())
                        .addString(template.get("version").asText())
                        .addString(template.path("description").asText(""))
                        .addString(JsonSupport.write(template))
                        .addString(contentHash)
                        .addString(template.get("identity_strategy").asText());
        return client.preparedQuery(INSERT_TEMPLATE)
                .execute(args)
                .map(
                        rows ->
                                rows.size() == 0
                                        ? Optional.<UUID>empty()
                                        : Optional.of(rows.iterator().next().getUUID(0)));
    }

    public Uni<Void> callEnsureQueue(SqlClient client, String queue) {
        return client.preparedQuery(ENSURE_QUEUE).execute(Tuple.of(queue)).replaceWithVoid();
    }

    public Uni<Optional<StoredTemplate>> find(
            SqlClient client, String namespace, String name, String version) {
        return client.preparedQuery(FIND)
                .execute(Tuple.of(namespace, name, version))
                .map(TemplateRepository::first);
    }

    public Uni<Optional<StoredTemplate>> findLatest(
            SqlClient client, String namespace, String name) {
        return client.preparedQuery(FIND_LATEST)
                .execute(Tuple.of(namespace, name))
                .map(TemplateRepository::first);
    }

    public Uni<List<StoredTemplate>> list(SqlClient client, String namespace) {
        return client.preparedQuery(LIST)
                .execute(Tuple.of(namespace))
                .map(
                        rows -> {
                            List<StoredTemplate> out = new ArrayList<>();
                            rows.forEach(r -> out.add(map(r)));
                            return out;
                        });
    }

    private static Optional<StoredTemplate> first(RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(map(rows.iterator().next()));
    }

    private static StoredTemplate map(Row r) {
        return new StoredTemplate(
                r.getUUID(0),
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getString(5),
                JsonSupport.parse(r.getString(6)),
                r.getString(7));
    }
}

package io.tasker.orchestrator.task;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.JsonSupport;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

/** SQL that writes tasks. */
@ApplicationScoped
public class TaskRepository {

    /** Everything {@code tasker.create_task} needs besides the template. */
    public record NewTask(
            UUID namedTaskUuid,
            String contextJson,
            String identityHash,
            int priority,
            UUID correlationId,
            String initiator,
            String sourceSystem,
            String reason,
            JsonNode tags) {}

    // One call: task, steps, edges, transitions and the root steps' messages (see the migration).
    private static final String CREATE =
            """
            SELECT tasker.create_task($1::uuid, $2::text::jsonb, $3::text, $4::integer, $5::uuid,
                                      $6::text, $7::text, $8::text, $9::text::jsonb)
            """;

    private static final String FIND_BY_IDENTITY =
            "SELECT task_uuid FROM tasker.tasks WHERE identity_hash = $1::text";

    public Uni<UUID> callCreateTask(SqlClient client, NewTask t) {
        Tuple args =
                Tuple.tuple()
                        .addUUID(t.namedTaskUuid())
                        .addString(t.contextJson())
                        .addString(t.identityHash())
                        .addInteger(t.priority())
                        .addUUID(t.correlationId())
                        .addString(t.initiator())
                        .addString(t.sourceSystem())
                        .addString(t.reason())
                        .addString(t.tags() == null ? null : JsonSupport.write(t.tags()));
        return client.preparedQuery(CREATE)
                .execute(args)
                .map(rows -> rows.iterator().next().getUUID(0));
    }

    public Uni<Optional<UUID>> findByIdentity(SqlClient client, String identityHash) {
        return client.preparedQuery(FIND_BY_IDENTITY)
                .execute(Tuple.of(identityHash))
                .map(
                        rows ->
                                rows.size() == 0
                                        ? Optional.<UUID>empty()
                                        : Optional.of(rows.iterator().next().getUUID(0)));
    }
}

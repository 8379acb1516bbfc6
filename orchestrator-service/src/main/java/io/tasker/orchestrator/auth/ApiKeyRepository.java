package io.tasker.orchestrator.auth;

import io.smallrye.mutiny.Uni;
import io.tasker.messages.api.ApiKey;
import io.tasker.orchestrator.rest.JsonViews;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** SQL of {@code tasker.api_keys} (migration V202612021300__api_keys.sql). */
final class ApiKeyRepository {

    /** What verification needs of a stored key. */
    record StoredKey(
            String name,
            byte[] hmac,
            Set<String> roles,
            Set<String> namespaces,
            OffsetDateTime expiresAt,
            boolean revoked) {}

    static final String VIEW =
            """
            jsonb_build_object(
                'api_key_uuid', k.api_key_uuid, 'name', k.name, 'prefix', k.prefix,
                'roles', to_jsonb(k.roles), 'namespaces', to_jsonb(k.namespaces),
                'created_by', k.created_by, 'created_at', k.created_at, 'expires_at', k.expires_at,
                'last_used_at', k.last_used_at, 'revoked_at', k.revoked_at)::text
            """;

    // $1 prefix
    private static final String FIND =
            """
            SELECT name, key_hmac, roles, namespaces, expires_at, revoked_at IS NOT NULL AS revoked
              FROM tasker.api_keys WHERE prefix = $1::text
            """;

    // $1 name, $2 prefix, $3 HMAC, $4 roles, $5 namespaces (null: all), $6 creator, $7 expiry
    private static final String INSERT =
            "INSERT INTO tasker.api_keys AS k"
                    + " (name, prefix, key_hmac, roles, namespaces, created_by, expires_at)"
                    + " VALUES ($1::text, $2::text, $3::bytea, $4::text[], $5::text[], $6::text,"
                    + " $7::timestamptz) RETURNING "
                    + VIEW;

    private static final String LIST =
            "SELECT " + VIEW + " FROM tasker.api_keys k ORDER BY k.created_at DESC, k.name";

    // $1 key uuid. Revoking twice keeps the first revocation time.
    private static final String REVOKE =
            "UPDATE tasker.api_keys k SET revoked_at = coalesce(k.revoked_at, now())"
                    + " WHERE k.api_key_uuid = $1::uuid RETURNING k.prefix, "
                    + VIEW;

    // $1 prefix
    private static final String TOUCH =
            "UPDATE tasker.api_keys SET last_used_at = now() WHERE prefix = $1::text";

    private ApiKeyRepository() {}

    static Uni<Optional<StoredKey>> find(SqlClient client, String prefix) {
        return client.preparedQuery(FIND)
                .execute(Tuple.of(prefix))
                .map(
                        rows ->
                                rows.size() == 0
                                        ? Optional.empty()
                                        : Optional.of(stored(rows.iterator().next())));
    }

    private static StoredKey stored(Row row) {
        String[] namespaces = row.getArrayOfStrings("namespaces");
        return new StoredKey(
                row.getString("name"),
                row.getBuffer("key_hmac").getBytes(),
                Set.copyOf(Arrays.asList(row.getArrayOfStrings("roles"))),
                namespaces == null ? null : Set.copyOf(Arrays.asList(namespaces)),
                row.getOffsetDateTime("expires_at"),
                row.getBoolean("revoked"));
    }

    static Uni<ApiKey> insert(
            SqlClient client,
            String name,
            String prefix,
            byte[] hmac,
            List<String> roles,
            List<String> namespaces,
            String createdBy,
            OffsetDateTime expiresAt) {
        return client.preparedQuery(INSERT)
                .execute(
                        Tuple.tuple()
                                .addString(name)
                                .addString(prefix)
                                .addBuffer(io.vertx.mutiny.core.buffer.Buffer.buffer(hmac))
                                .addArrayOfString(roles.toArray(String[]::new))
                                .addArrayOfString(
                                        namespaces == null
                                                ? null
                                                : namespaces.toArray(String[]::new))
                                .addString(createdBy)
                                .addOffsetDateTime(expiresAt))
                .map(rows -> JsonViews.only(rows, ApiKey.class));
    }

    static Uni<List<ApiKey>> list(SqlClient client) {
        return client.preparedQuery(LIST).execute().map(rows -> JsonViews.all(rows, ApiKey.class));
    }

    /** The revoked key's prefix and view, or empty when there is no such key. */
    static Uni<Optional<Revoked>> revoke(SqlClient client, UUID key) {
        return client.preparedQuery(REVOKE)
                .execute(Tuple.of(key))
                .map(
                        rows -> {
                            if (rows.size() == 0) {
                                return Optional.empty();
                            }
                            Row row = rows.iterator().next();
                            return Optional.of(
                                    new Revoked(
                                            row.getString(0),
                                            JsonViews.decode(row.getString(1), ApiKey.class)));
                        });
    }

    record Revoked(String prefix, ApiKey view) {}

    static Uni<Void> touch(SqlClient client, String prefix) {
        return client.preparedQuery(TOUCH).execute(Tuple.of(prefix)).replaceWithVoid();
    }
}

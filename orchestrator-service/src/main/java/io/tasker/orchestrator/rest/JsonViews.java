package io.tasker.orchestrator.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.tasker.messages.JsonSupport;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one place where a JSON view built by PostgreSQL (a {@code jsonb} document in the first
 * column, sent as text) becomes an API record. Numbers stay exact ({@link JsonSupport#MAPPER}).
 */
public final class JsonViews {

    private JsonViews() {}

    /** The view of the first row, or empty when there is no row. */
    public static <T> Optional<T> first(RowSet<Row> rows, Class<T> type) {
        if (rows.size() == 0) {
            return Optional.empty();
        }
        return Optional.of(decode(rows.iterator().next().getString(0), type));
    }

    /** The view of the only row of an aggregate query. */
    public static <T> T only(RowSet<Row> rows, Class<T> type) {
        return decode(rows.iterator().next().getString(0), type);
    }

    /** The view of the only row of an aggregate query, as a generic type (a list of records). */
    public static <T> T only(RowSet<Row> rows, TypeReference<T> type) {
        String json = rows.iterator().next().getString(0);
        try {
            return JsonSupport.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw undecodable(type.getType().getTypeName(), e);
        }
    }

    /** One view per row, in row order. */
    public static <T> List<T> all(RowSet<Row> rows, Class<T> type) {
        List<T> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(decode(r.getString(0), type)));
        return out;
    }

    public static <T> T decode(String json, Class<T> type) {
        try {
            return JsonSupport.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw undecodable(type.getSimpleName(), e);
        }
    }

    private static IllegalStateException undecodable(String type, JsonProcessingException e) {
        return new IllegalStateException(
                "the database's view does not decode as " + type + ": " + e.getOriginalMessage(),
                e);
    }
}

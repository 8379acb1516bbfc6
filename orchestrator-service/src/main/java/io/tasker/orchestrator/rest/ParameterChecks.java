package io.tasker.orchestrator.rest;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import java.time.DateTimeException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks of query and path parameters. A NUL character is refused in any of them, whatever the
 * endpoint: PostgreSQL text cannot hold one, so it would otherwise fail deep in SQL as a 500.
 */
public class ParameterChecks {

    /**
     * A parameter's value read by {@code parser} (a UUID, a state, a timestamp), null when the
     * parameter is absent, or the {@code invalid} answer when the parser refuses it.
     */
    public static <T> T parse(
            String value, Function<String, T> parser, Supplier<ApiException> invalid) {
        if (value == null) {
            return null;
        }
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException | DateTimeException e) {
            throw invalid.get();
        }
    }

    /**
     * The {@code limit} of a list: {@code defaultSize} when absent, else a 400 {@code
     * invalid_filter} unless it is between 1 and {@code maxSize}.
     */
    public static int limit(Integer limit, int defaultSize, int maxSize) {
        int size = limit == null ? defaultSize : limit;
        if (size < 1 || size > maxSize) {
            throw ApiException.badRequest(
                    "invalid_filter",
                    "limit must be between 1 and " + maxSize,
                    List.of("limit out of range"));
        }
        return size;
    }

    @ServerRequestFilter
    public void refuseNul(UriInfo uri) {
        check("query parameter", uri.getQueryParameters(true));
        check("path parameter", uri.getPathParameters(true));
    }

    private static void check(String kind, MultivaluedMap<String, String> parameters) {
        for (Map.Entry<String, List<String>> p : parameters.entrySet()) {
            boolean nul = p.getKey().indexOf('\u0000') >= 0;
            for (String v : p.getValue()) {
                nul |= v != null && v.indexOf('\u0000') >= 0;
            }
            if (nul) {
                String name = p.getKey().replace("\u0000", "\\u0000");
                throw new ApiException(
                        400,
                        "nul_character",
                        "Bad request",
                        "the "
                                + kind
                                + " '"
                                + name
                                + "' contains a NUL character (\\u0000), which cannot be stored",
                        List.of(kind + " " + name + " contains a NUL character"),
                        Map.of("parameter", name));
            }
        }
    }
}

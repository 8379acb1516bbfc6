package io.tasker.orchestrator.rest;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a NUL character in any query or path parameter, whatever the endpoint: PostgreSQL text
 * cannot hold one, so it would otherwise fail deep in SQL as a 500.
 */
public class ParameterChecks {

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

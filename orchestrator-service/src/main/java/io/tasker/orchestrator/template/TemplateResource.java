package io.tasker.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.template.TemplateRepository.StoredTemplate;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** Registers and reads task templates: {@code /v1/templates}. */
@Path("/v1/templates")
@Produces(MediaType.APPLICATION_JSON)
public class TemplateResource {

    private final TemplateService templates;

    public TemplateResource(TemplateService templates) {
        this.templates = templates;
    }

    @POST
    @Consumes({
        MediaType.APPLICATION_JSON,
        "application/yaml",
        "application/x-yaml",
        "text/yaml",
        "text/x-yaml",
        MediaType.TEXT_PLAIN
    })
    public Uni<Response> register(
            String body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        JsonNode document =
                TemplateDocuments.parse(body, TemplateDocuments.isYamlMediaType(contentType));
        io.tasker.orchestrator.rest.JsonBodies.current().check(document);
        return templates
                .register(document)
                .map(
                        r -> {
                            StoredTemplate t = r.template();
                            ObjectNode view = view(t, true);
                            view.put("created", r.created());
                            if (r.created()) {
                                return Response.created(
                                                URI.create(
                                                        "/v1/templates/"
                                                                + t.namespace()
                                                                + "/"
                                                                + t.name()
                                                                + "/"
                                                                + t.version()))
                                        .entity(JsonSupport.write(view))
                                        .build();
                            }
                            return Response.ok(JsonSupport.write(view)).build();
                        });
    }

    @GET
    public Uni<String> list(@QueryParam("namespace") String namespace) {
        return templates
                .list(namespace)
                .map(
                        list -> {
                            ArrayNode items = JsonSupport.array();
                            list.forEach(t -> items.add(view(t, false)));
                            ObjectNode out = JsonSupport.object();
                            out.set("templates", items);
                            out.put("count", list.size());
                            return JsonSupport.write(out);
                        });
    }

    @GET
    @Path("/{namespace}/{name}/{version}")
    public Uni<String> get(
            @PathParam("namespace") String namespace,
            @PathParam("name") String name,
            @PathParam("version") String version) {
        return templates.get(namespace, name, version).map(t -> JsonSupport.write(view(t, true)));
    }

    static ObjectNode view(StoredTemplate t, boolean full) {
        ObjectNode out = JsonSupport.object();
        out.put("named_task_uuid", t.namedTaskUuid().toString());
        out.put("namespace", t.namespace());
        out.put("name", t.name());
        out.put("version", t.version());
        out.put("description", t.configuration().path("description").asText(""));
        out.put("identity_strategy", t.identityStrategy());
        out.put("content_hash", t.contentHash());
        out.put("created_at", t.createdAt());
        out.put("step_count", t.configuration().path("steps").size());
        if (full) {
            out.set("template", t.configuration());
        }
        return out;
    }
}

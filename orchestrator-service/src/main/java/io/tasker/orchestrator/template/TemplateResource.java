package io.tasker.orchestrator.template;

import io.smallrye.mutiny.Uni;
import io.tasker.messages.api.Template;
import io.tasker.messages.api.TemplateList;
import io.tasker.messages.api.TemplateRegistration;
import io.tasker.messages.api.TemplateSummary;
import io.tasker.orchestrator.auth.Callers;
import io.tasker.orchestrator.auth.Roles;
import io.tasker.orchestrator.rest.ApiDocument;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.orchestrator.template.TemplateRepository.StoredTemplate;
import jakarta.annotation.security.RolesAllowed;
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
import java.net.URI;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/** Registers and reads task templates: {@code /v1/templates}. */
@Path("/v1/templates")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "templates")
public class TemplateResource {

    private static final String TEMPLATE_DOCUMENT =
            "A task template (namespace, name, version, steps, ...), validated on registration.";

    private final TemplateService templates;
    private final Callers callers;

    public TemplateResource(TemplateService templates, Callers callers) {
        this.templates = templates;
        this.callers = callers;
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
    @RolesAllowed(Roles.TEMPLATES_WRITE)
    @Operation(
            operationId = "registerTemplate",
            summary = "Register a template version",
            description =
                    "Validates and stores a template version, creating its namespace and worker"
                            + " queue. The body is read as YAML for `application/yaml`,"
                            + " `application/x-yaml`, `text/yaml` and `text/x-yaml`, and as JSON"
                            + " for `application/json` and `text/plain`. Registering identical"
                            + " content again is a no-op (200, `created: false`); different"
                            + " content under an existing version is a conflict: versions are"
                            + " immutable. A caller limited to namespaces registers only in"
                            + " those (403 `namespace_not_allowed`).")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            schema =
                                    @Schema(
                                            type = SchemaType.OBJECT,
                                            description = TEMPLATE_DOCUMENT)))
    @APIResponse(
            responseCode = "200",
            description =
                    "Identical content was already registered under this version (`created` is"
                            + " false).")
    @APIResponse(
            responseCode = "201",
            description = "The version was registered (`created` is true).",
            headers =
                    @Header(
                            name = "Location",
                            description =
                                    "URL of the version, `/v1/templates/{namespace}/{name}/{version}`.",
                            schema = @Schema(type = SchemaType.STRING)),
            content = @Content(schema = @Schema(implementation = TemplateRegistration.class)))
    @APIResponse(
            responseCode = "400",
            description =
                    "The body cannot be parsed (code `malformed_template`) or the template is"
                            + " invalid (code `invalid_template`, every problem in `errors`:"
                            + " unknown fields, bad namespace/name/version format, unknown"
                            + " dependency, cycle, duplicate step name, retry values out of range,"
                            + " invalid input_schema, an input_schema `$ref` leaving the schema, a"
                            + " `tasker.templates.limits.*` limit passed). A YAML alias or a YAML"
                            + " document nested too deep is a `malformed_template`.")
    @APIResponse(
            responseCode = "409",
            description =
                    "The version is already registered with different content (code"
                            + " `template_version_conflict`); the stored version's id is in the"
                            + " extension member `named_task_uuid`.")
    @APIResponse(
            responseCode = "413",
            description =
                    "The body is larger than `tasker.api.max-body-bytes` (code `body_too_large`)"
                            + " or than `tasker.templates.limits.max-template-bytes` (code"
                            + " `template_too_large`); it was not parsed.")
    @APIResponse(responseCode = "415", ref = ApiDocument.UNSUPPORTED_MEDIA_TYPE)
    public Uni<RestResponse<TemplateRegistration>> register(
            String body,
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        return callers.current()
                .chain(
                        caller ->
                                templates.register(
                                        body,
                                        TemplateDocuments.isYamlMediaType(contentType),
                                        caller::requireNamespace))
                .map(
                        r -> {
                            StoredTemplate t = r.template();
                            TemplateRegistration view =
                                    new TemplateRegistration(detail(t), r.created());
                            if (r.created()) {
                                return RestResponse.ResponseBuilder.<TemplateRegistration>created(
                                                URI.create(
                                                        "/v1/templates/"
                                                                + t.namespace()
                                                                + "/"
                                                                + t.name()
                                                                + "/"
                                                                + t.version()))
                                        .entity(view)
                                        .build();
                            }
                            return RestResponse.ok(view);
                        });
    }

    @GET
    @RolesAllowed(Roles.TASKS_READ)
    @Operation(
            operationId = "listTemplates",
            summary = "List registered template versions",
            description = "A caller limited to namespaces sees only the templates of those.")
    @APIResponse(
            responseCode = "200",
            description = "Every registered version (summary fields, without the template body).")
    public Uni<TemplateList> list(
            @Parameter(description = "Only versions of this namespace.") @QueryParam("namespace")
                    String namespace) {
        return callers.current()
                .chain(
                        caller ->
                                templates
                                        .list(namespace)
                                        .map(
                                                list ->
                                                        TemplateList.of(
                                                                list.stream()
                                                                        .filter(
                                                                                t ->
                                                                                        caller
                                                                                                .mayUse(
                                                                                                        t
                                                                                                                .namespace()))
                                                                        .map(
                                                                                TemplateResource
                                                                                        ::summary)
                                                                        .toList())));
    }

    @GET
    @Path("/{namespace}/{name}/{version}")
    @RolesAllowed(Roles.TASKS_READ)
    @Operation(operationId = "getTemplate", summary = "Read one template version")
    @APIResponse(
            responseCode = "200",
            description = "The version with the stored template (every default filled in).")
    @APIResponse(
            responseCode = "404",
            description = "No such template version (code `template_not_found`).")
    public Uni<Template> get(
            @Parameter(description = "The template's namespace.") @PathParam("namespace")
                    String namespace,
            @Parameter(description = "The template's name.") @PathParam("name") String name,
            @Parameter(description = "MAJOR.MINOR.PATCH", example = "1.0.0") @PathParam("version")
                    String version) {
        return callers.current()
                .invoke(
                        caller -> {
                            if (!caller.mayUse(namespace)) {
                                // A namespace the caller may not use is not revealed.
                                throw ApiException.notFound(
                                        "template_not_found",
                                        "no template " + namespace + "/" + name + "@" + version);
                            }
                        })
                .chain(() -> templates.get(namespace, name, version))
                .map(TemplateResource::detail);
    }

    static TemplateSummary summary(StoredTemplate t) {
        return new TemplateSummary(
                t.namedTaskUuid(),
                t.namespace(),
                t.name(),
                t.version(),
                t.configuration().path("description").asText(""),
                t.identityStrategy(),
                t.contentHash(),
                OffsetDateTime.parse(t.createdAt()),
                t.configuration().path("steps").size());
    }

    static Template detail(StoredTemplate t) {
        return new Template(summary(t), t.configuration());
    }
}

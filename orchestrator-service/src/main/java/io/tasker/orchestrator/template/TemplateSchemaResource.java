package io.tasker.orchestrator.template;

import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Serves the JSON Schema of the template format with this orchestrator's limits and retry defaults:
 * what registration checks, for editors and tools ({@code /v1/templates/schema}).
 */
@Path("/v1/templates/schema")
@Tag(name = "templates")
public class TemplateSchemaResource {

    static final String SCHEMA_JSON = "application/schema+json";

    private final String effective;

    public TemplateSchemaResource(TemplateSchema schema) {
        this.effective = JsonSupport.write(schema.effective());
    }

    @GET
    @Produces({SCHEMA_JSON, MediaType.APPLICATION_JSON})
    @RolesAllowed({Roles.TASKS_READ, Roles.TEMPLATES_WRITE})
    @Operation(
            operationId = "getTemplateSchema",
            summary = "The template format as a JSON Schema",
            description =
                    "JSON Schema 2020-12 of a template document, with the configured"
                            + " tasker.templates.limits.* values (maxItems, maxLength, version"
                            + " digits) and tasker.retry.* defaults. Registration validates"
                            + " templates against it, then checks what a schema cannot say: unique"
                            + " step names, known dependencies, no cycles.")
    @APIResponse(
            responseCode = "200",
            description = "The effective template schema.",
            content = @Content(schema = @Schema(type = SchemaType.OBJECT)))
    public String schema() {
        return effective;
    }
}

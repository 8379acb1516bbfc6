package io.tasker.orchestrator.worker;

import io.smallrye.mutiny.Uni;
import io.tasker.messages.api.WorkerList;
import io.tasker.orchestrator.auth.Callers;
import io.tasker.orchestrator.auth.Roles;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.rest.ParameterChecks;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The worker registry: {@code GET /v1/workers}. */
@Path("/v1/workers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "workers")
public class WorkerResource {

    @Inject Pool pool;
    @Inject WorkerQueries queries;
    @Inject OrchestratorConfig config;
    @Inject Callers callers;

    @GET
    @RolesAllowed(Roles.TASKS_READ)
    @Operation(
            operationId = "listWorkers",
            summary = "List live and recently gone workers",
            description =
                    "Every worker process that sent a presence heartbeat: `live` while it is not"
                            + " stopped and was seen within `tasker.workers.live-timeout`, `gone`"
                            + " after, and listed until `tasker.workers.retention` has passed"
                            + " since it went. Live workers first, then by id. A caller limited to"
                            + " namespaces sees only the workers serving one of them, with only"
                            + " those namespaces.")
    @APIResponse(responseCode = "200", description = "The workers.")
    @APIResponse(responseCode = "400", description = "limit out of range (code `invalid_filter`).")
    public Uni<WorkerList> list(
            @Parameter(description = "Only workers serving this namespace.")
                    @QueryParam("namespace")
                    String namespace,
            @Parameter(
                            description =
                                    "Most workers listed (default and maximum"
                                            + " `tasker.api.max-page-size`, 500).",
                            schema = @Schema(minimum = "1"))
                    @QueryParam("limit")
                    Integer limit) {
        int max = config.api().maxPageSize();
        int size = ParameterChecks.limit(limit, max, max);
        return callers.current()
                .chain(
                        caller ->
                                queries.listWorkers(
                                        pool, namespace, size, caller.namespaceFilter()))
                .map(WorkerList::of);
    }
}

package io.tasker.orchestrator.step;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.tasker.messages.JsonSupport;
import io.tasker.messages.WireValue;
import io.tasker.messages.api.Step;
import io.tasker.messages.api.StepAction;
import io.tasker.messages.api.StepActionRequest;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.orchestrator.task.TaskQueries;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Operator actions on a step: reset_for_retry, resolve_manually, complete_manually (with a result).
 */
@ApplicationScoped
public class StepOperations {

    private static final Logger LOG = Logger.getLogger(StepOperations.class);
    private static final List<String> ACTIONS = WireValue.wires(StepAction.class);

    // One call: the step change with who and why, the task resumed and re-evaluated (see the
    // migration).
    private static final String OPERATE =
            "SELECT tasker.operate_step($1::uuid, $2::uuid, $3::text, $4::text::jsonb, $5::text, $6::text)";

    private final Pool pool;
    private final TaskQueries queries;

    public StepOperations(Pool pool, TaskQueries queries) {
        this.pool = pool;
        this.queries = queries;
    }

    /**
     * Maps a parsed request body to the step action, listing every problem at once (400 {@code
     * invalid_step_action}). The optional {@code actor} (or {@code resolved_by}) is whom the body
     * claims to act for; the resource records the authenticated caller as the actor.
     */
    public static StepActionRequest read(JsonNode body) {
        List<String> problems = new ArrayList<>();
        ApiException.requireObject(body, "the body must be a JSON object");
        String action = body.path("action").asText(null);
        if (action == null || !ACTIONS.contains(action)) {
            problems.add("action must be one of " + ACTIONS);
        }
        String actor =
                body.hasNonNull("actor")
                        ? body.get("actor").asText()
                        : body.path("resolved_by").asText(null);
        String reason = body.path("reason").asText(null);
        if (reason == null || reason.isBlank()) {
            problems.add("reason is required (why the action is taken)");
        }
        if ("complete_manually".equals(action) && !body.has("result")) {
            problems.add("complete_manually needs a result (given to dependent steps)");
        }
        ApiException.requireNoProblems("invalid_step_action", "step action", problems);
        // A JSON null result is a result; a missing one is none.
        return new StepActionRequest(
                WireValue.parse(StepAction.class, action, "step action"),
                actor,
                reason,
                body.get("result"));
    }

    /** Applies the action in one transaction and returns the step's view afterwards. */
    public Uni<Step> operate(UUID taskUuid, UUID stepUuid, StepActionRequest request) {
        String action = request.action().wire();
        String actor = request.actor();
        String reason = request.reason();
        String result = request.result() == null ? null : JsonSupport.write(request.result());
        return pool.withTransaction(
                        tx ->
                                tx.preparedQuery(OPERATE)
                                        .execute(
                                                Tuple.of(
                                                        taskUuid, stepUuid, action, result, actor,
                                                        reason)))
                .onFailure(PgException.class)
                .transform(e -> translate((PgException) e))
                .invoke(
                        rows ->
                                LOG.infof(
                                        "operator %s: %s on task_uuid=%s step_uuid=%s reason=%s -> %s",
                                        actor,
                                        action,
                                        taskUuid,
                                        stepUuid,
                                        reason,
                                        rows.iterator().next().getString(0)))
                .chain(() -> queries.listSteps(pool, taskUuid, stepUuid))
                .map(steps -> steps.get(0));
    }

    private static Throwable translate(PgException e) {
        String detail = String.valueOf(e.getErrorMessage());
        return switch (String.valueOf(e.getSqlState())) {
            case "TK010" -> ApiException.conflict("step_action_not_allowed", detail, Map.of());
            case "TK011" -> ApiException.conflict("task_not_active", detail, Map.of());
            case "TK012" -> ApiException.notFound("task_not_found", detail);
            case "TK013" -> ApiException.notFound("step_not_found", detail);
            default -> e;
        };
    }
}

package io.tasker.orchestrator.rest;

import io.tasker.messages.api.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Completes the generated document with what every operation has in common, so that a resource only
 * says what is particular to it:
 *
 * <ul>
 *   <li>every 4xx and 5xx answer (declared on the operation or shared in {@link ApiDocument}) is
 *       {@code application/problem+json} with the {@link Problem} schema, and every operation can
 *       answer 500;
 *   <li>a path parameter named {@code *_uuid} is a UUID, described here once; a value that is not
 *       one is a 400 {@code invalid_uuid}, which is documented for every operation that does not
 *       describe its 400 answers itself;
 *   <li>every operation answers 401 without a valid credential and 403 without its role, every
 *       write 429 past the caller's rate limit (unless it describes these answers itself).
 * </ul>
 */
public class ApiConventions implements OASFilter {

    private static final String PROBLEM_SCHEMA =
            "#/components/schemas/" + Problem.class.getSimpleName();

    /** What each UUID path parameter of the API names. */
    private static final Map<String, String> UUID_PARAMETERS =
            Map.of(
                    "task_uuid", "The task (`task_uuid`)",
                    "step_uuid", "The step (`workflow_step_uuid`)",
                    "entry_uuid", "The DLQ entry (`dlq_entry_uuid`)",
                    "api_key_uuid", "The API key (`api_key_uuid`)");

    @Override
    public void filterOpenAPI(OpenAPI document) {
        if (document.getComponents() != null && document.getComponents().getResponses() != null) {
            document.getComponents().getResponses().values().forEach(ApiConventions::problem);
        }
        if (document.getPaths() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : document.getPaths().getPathItems().entrySet()) {
            for (Map.Entry<PathItem.HttpMethod, Operation> op :
                    path.getValue().getOperations().entrySet()) {
                Operation operation = op.getValue();
                List<Parameter> uuids = uuidParameters(path.getValue(), operation);
                // In the order the path names them.
                uuids.sort(
                        Comparator.comparing(p -> path.getKey().indexOf("{" + p.getName() + "}")));
                complete(operation, uuids);
                secured(operation, op.getKey() != PathItem.HttpMethod.GET);
            }
        }
    }

    private static void complete(Operation operation, List<Parameter> uuids) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            return;
        }
        if (!uuids.isEmpty() && !responses.hasAPIResponse("400")) {
            String names =
                    uuids.stream().map(Parameter::getName).collect(Collectors.joining(" or "));
            responses.addAPIResponse(
                    "400",
                    OASFactory.createAPIResponse()
                            .description(names + " is not a UUID (code `invalid_uuid`)."));
        }
        for (Map.Entry<String, APIResponse> r : responses.getAPIResponses().entrySet()) {
            if (isError(r.getKey())) {
                problem(r.getValue());
            }
        }
        if (!responses.hasAPIResponse("500")) {
            responses.addAPIResponse(
                    "500",
                    OASFactory.createAPIResponse()
                            .ref("#/components/responses/" + ApiDocument.INTERNAL_ERROR));
        }
    }

    /**
     * Every operation needs a credential (401) with a role (403); writes are rate limited (429).
     */
    private static void secured(Operation operation, boolean write) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            return;
        }
        shared(responses, "401", ApiDocument.UNAUTHORIZED);
        shared(responses, "403", ApiDocument.FORBIDDEN);
        if (write) {
            shared(responses, "429", ApiDocument.TOO_MANY_REQUESTS);
        }
    }

    private static void shared(APIResponses responses, String status, String component) {
        if (!responses.hasAPIResponse(status)) {
            responses.addAPIResponse(
                    status,
                    OASFactory.createAPIResponse().ref("#/components/responses/" + component));
        }
    }

    /** The path's and the operation's {@code *_uuid} path parameters, each described. */
    private static List<Parameter> uuidParameters(PathItem path, Operation operation) {
        List<Parameter> out = new ArrayList<>();
        for (List<Parameter> declared :
                List.of(listOf(path.getParameters()), listOf(operation.getParameters()))) {
            for (Parameter p : declared) {
                String what = UUID_PARAMETERS.get(p.getName());
                if (p.getIn() == Parameter.In.PATH && what != null) {
                    if (p.getDescription() == null) {
                        p.setDescription(what + "; not a UUID is a 400 `invalid_uuid`.");
                    }
                    if (p.getSchema() == null) {
                        p.setSchema(OASFactory.createSchema());
                    }
                    p.getSchema().setFormat("uuid");
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static List<Parameter> listOf(List<Parameter> parameters) {
        return parameters == null ? List.of() : parameters;
    }

    /** An error answer without content of its own answers a problem document. */
    private static void problem(APIResponse response) {
        if (response.getRef() == null && response.getContent() == null) {
            response.setContent(
                    OASFactory.createContent()
                            .addMediaType(
                                    ProblemMapper.PROBLEM_JSON,
                                    OASFactory.createMediaType()
                                            .schema(
                                                    OASFactory.createSchema()
                                                            .ref(PROBLEM_SCHEMA))));
        }
    }

    private static boolean isError(String status) {
        return status.length() == 3 && (status.charAt(0) == '4' || status.charAt(0) == '5');
    }
}

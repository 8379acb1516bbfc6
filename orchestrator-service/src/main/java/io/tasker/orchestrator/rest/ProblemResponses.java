package io.tasker.orchestrator.rest;

import io.tasker.messages.api.Problem;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Completes the generated document's error answers: every 4xx and 5xx response an operation
 * declares is {@code application/problem+json} with the {@link Problem} schema (the resources only
 * say when each status happens), and every operation can answer 500.
 */
public class ProblemResponses implements OASFilter {

    private static final String PROBLEM_SCHEMA =
            "#/components/schemas/" + Problem.class.getSimpleName();

    @Override
    public Operation filterOperation(Operation operation) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            return operation;
        }
        for (Map.Entry<String, APIResponse> r : responses.getAPIResponses().entrySet()) {
            APIResponse response = r.getValue();
            if (isError(r.getKey()) && response.getRef() == null && response.getContent() == null) {
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
        if (!responses.hasAPIResponse("500")) {
            responses.addAPIResponse(
                    "500",
                    OASFactory.createAPIResponse()
                            .ref("#/components/responses/" + ApiDocument.INTERNAL_ERROR));
        }
        return operation;
    }

    private static boolean isError(String status) {
        return status.length() == 3 && (status.charAt(0) == '4' || status.charAt(0) == '5');
    }
}

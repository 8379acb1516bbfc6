package io.tasker.orchestrator.rest;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.tasker.messages.StepState;
import io.tasker.messages.TaskState;
import io.tasker.messages.WireValue;
import io.tasker.messages.api.ApiKey;
import io.tasker.messages.api.ApiKeyList;
import io.tasker.messages.api.Attempt;
import io.tasker.messages.api.AttemptOutcome;
import io.tasker.messages.api.CreateApiKeyRequest;
import io.tasker.messages.api.CreateTaskRequest;
import io.tasker.messages.api.CreatedApiKey;
import io.tasker.messages.api.DlqEntry;
import io.tasker.messages.api.DlqList;
import io.tasker.messages.api.DlqResolutionRequest;
import io.tasker.messages.api.DlqResolutionStatus;
import io.tasker.messages.api.ExecutionSummary;
import io.tasker.messages.api.Pagination;
import io.tasker.messages.api.Problem;
import io.tasker.messages.api.QueueList;
import io.tasker.messages.api.QueueStats;
import io.tasker.messages.api.QueueTotals;
import io.tasker.messages.api.Step;
import io.tasker.messages.api.StepAction;
import io.tasker.messages.api.StepActionRequest;
import io.tasker.messages.api.StepList;
import io.tasker.messages.api.StepTransition;
import io.tasker.messages.api.Task;
import io.tasker.messages.api.TaskPage;
import io.tasker.messages.api.TaskSummary;
import io.tasker.messages.api.TaskTransition;
import io.tasker.messages.api.Template;
import io.tasker.messages.api.TemplateList;
import io.tasker.messages.api.TemplateRegistration;
import io.tasker.messages.api.TemplateSummary;
import io.tasker.messages.api.Transitions;
import io.tasker.messages.api.WireTimestamp;
import io.tasker.messages.api.Worker;
import io.tasker.messages.api.WorkerList;
import io.tasker.messages.api.WorkerStatus;

/**
 * The API records for a native build: they are also read from the database's JSON views and written
 * outside resource signatures (problems, request records), where Quarkus cannot see them.
 */
@RegisterForReflection(
        targets = {
            ApiKey.class,
            ApiKeyList.class,
            Attempt.class,
            AttemptOutcome.class,
            CreateApiKeyRequest.class,
            CreateTaskRequest.class,
            CreatedApiKey.class,
            DlqEntry.class,
            DlqList.class,
            DlqResolutionRequest.class,
            DlqResolutionStatus.class,
            ExecutionSummary.class,
            Pagination.class,
            Problem.class,
            QueueList.class,
            QueueStats.class,
            QueueTotals.class,
            Step.class,
            StepAction.class,
            StepActionRequest.class,
            StepList.class,
            StepState.class,
            StepTransition.class,
            Task.class,
            TaskPage.class,
            TaskState.class,
            TaskSummary.class,
            TaskTransition.class,
            Template.class,
            TemplateList.class,
            TemplateRegistration.class,
            TemplateSummary.class,
            Transitions.class,
            WireTimestamp.Reader.class,
            WireTimestamp.Writer.class,
            Worker.class,
            WorkerList.class,
            WorkerStatus.class,
            // Jackson instantiates the enums' @EnumNaming strategy.
            WireValue.Naming.class
        })
final class ApiRecords {

    private ApiRecords() {}
}

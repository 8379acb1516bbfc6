package io.tasker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tasker.messages.JsonSupport;
import io.tasker.messages.StepState;
import io.tasker.messages.TaskState;
import io.tasker.messages.api.AttemptOutcome;
import io.tasker.messages.api.CreateTaskRequest;
import io.tasker.messages.api.DlqEntry;
import io.tasker.messages.api.DlqList;
import io.tasker.messages.api.DlqResolutionRequest;
import io.tasker.messages.api.DlqResolutionStatus;
import io.tasker.messages.api.QueueList;
import io.tasker.messages.api.Step;
import io.tasker.messages.api.Task;
import io.tasker.messages.api.TaskPage;
import io.tasker.messages.api.Template;
import io.tasker.messages.api.TemplateRegistration;
import io.tasker.messages.api.Transitions;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the client sends and how it reads answers, against a local HTTP server. */
class TaskerClientTest {

    private static final UUID TASK = UUID.fromString("0192a4f0-6c1e-7b3a-9d2e-3f4a5b6c7d8e");
    private static final UUID STEP = UUID.fromString("0192a4f0-6c1e-7b3a-9d2e-3f4a5b6c7d8f");

    private FakeOrchestrator server;
    private TaskerClient client;

    @BeforeEach
    void start() throws Exception {
        server = new FakeOrchestrator();
        client = TaskerClient.create(server.uri());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void create_task_posts_the_request_as_json_and_reads_the_task() {
        server.answer(201, taskJson("pending"));
        CreateTaskRequest request =
                new CreateTaskRequest(
                        "fulfillment",
                        "process_order",
                        "1.0.0",
                        JsonSupport.parse("{\"order_id\": 42}"),
                        "key-1",
                        null,
                        null,
                        null,
                        null,
                        List.of("web"),
                        null);

        Task task = client.createTask(request);

        FakeOrchestrator.Recorded r = server.lastRequest();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/v1/tasks");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.header("Accept")).contains("application/json", "application/problem+json");
        assertThat(r.header("User-Agent")).isEqualTo(TaskerClientOptions.DEFAULT_USER_AGENT);
        assertThat(r.header("Authorization")).isNull();
        // Members left null are not sent at all.
        assertThat(JsonSupport.parse(r.body()))
                .isEqualTo(
                        JsonSupport.parse(
                                """
                                {"namespace": "fulfillment", "name": "process_order", "version": "1.0.0",
                                 "context": {"order_id": 42}, "idempotency_key": "key-1", "tags": ["web"]}
                                """));
        assertThat(task.summary().taskUuid()).isEqualTo(TASK);
        assertThat(task.summary().status()).isEqualTo(TaskState.PENDING);
        assertThat(task.summary().createdAt())
                .isEqualTo(OffsetDateTime.of(2026, 12, 2, 10, 0, 0, 123_456_000, ZoneOffset.UTC));
        assertThat(task.executionSummary().totalSteps()).isEqualTo(1);
    }

    @Test
    void results_keep_every_digit_and_unknown_members_are_ignored() {
        server.answer(
                200,
                taskJson("complete").replace("\"position\"", "\"added_later\": 1, \"position\""));

        Task task = client.getTask(TASK);

        Step step = task.step("validate").orElseThrow();
        assertThat(step.status()).isEqualTo(StepState.COMPLETE);
        assertThat(step.results().get("big").bigIntegerValue())
                .isEqualTo(new BigInteger("123456789012345678901234567890"));
        assertThat(step.results().get("total").decimalValue()).isEqualByComparingTo("0.10");
        assertThat(step.attemptHistory())
                .extracting(a -> a.outcome())
                .containsExactly(AttemptOutcome.SUCCESS);
        assertThat(server.lastRequest().path()).isEqualTo("/v1/tasks/" + TASK);
    }

    @Test
    void values_a_newer_orchestrator_may_add_read_as_null_and_an_unknown_status_is_not_the_end() {
        String future =
                taskJson("steps_in_process")
                        .replace("\"outcome\": \"success\"", "\"outcome\": \"some_future_outcome\"")
                        .replace(
                                "\"status\": \"steps_in_process\"",
                                "\"status\": \"some_future_state\"");
        server.answer(200, future).answer(200, taskJson("complete"));

        Task unknown = client.getTask(TASK);
        Task done = client.awaitTask(TASK, Duration.ofSeconds(10), Duration.ofMillis(10));

        assertThat(unknown.summary().status()).isNull();
        assertThat(unknown.steps().get(0).attemptHistory().get(0).outcome()).isNull();
        assertThat(unknown.steps().get(0).status()).isEqualTo(StepState.IN_PROGRESS);
        assertThat(done.summary().status()).isEqualTo(TaskState.COMPLETE);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void requests_are_http_1_1_on_one_kept_alive_connection() {
        server.answer(200, taskJson("pending"));

        for (int i = 0; i < 5; i++) {
            client.getTask(TASK);
        }

        assertThat(server.requests())
                .extracting(FakeOrchestrator.Recorded::protocol)
                .containsOnly("HTTP/1.1");
        assertThat(server.requests()).extracting(r -> r.header("Upgrade")).containsOnlyNulls();
        assertThat(server.requests())
                .extracting(FakeOrchestrator.Recorded::clientPort)
                .hasSize(5)
                .containsOnly(server.requests().get(0).clientPort());
    }

    @Test
    void the_authorization_supplier_is_asked_before_every_request_and_the_user_agent_is_set() {
        AtomicInteger token = new AtomicInteger();
        TaskerClient authorized =
                TaskerClient.create(
                        TaskerClientOptions.builder(server.uri())
                                .authorization(() -> "Bearer t" + token.incrementAndGet())
                                .userAgent("billing-service/2.1")
                                .build());
        server.answer(200, taskJson("pending"));

        authorized.getTask(TASK);
        authorized.getTask(TASK);

        assertThat(server.requests())
                .extracting(r -> r.header("Authorization"))
                .containsExactly("Bearer t1", "Bearer t2");
        assertThat(server.requests())
                .extracting(r -> r.header("User-Agent"))
                .containsOnly("billing-service/2.1");
    }

    @Test
    void a_problem_answer_throws_with_status_code_errors_and_extensions() {
        server.problem(
                409,
                """
                {"type": "https://tasker.dev/problems/duplicate-task", "title": "Conflict", "status": 409,
                 "detail": "an identical task exists", "instance": "/v1/tasks", "code": "duplicate_task",
                 "retryable": false, "errors": ["same identity hash"],
                 "existing_task_uuid": "%s"}
                """
                        .formatted(TASK),
                Map.of());

        TaskerApiException e = createTaskFails();

        assertThat(e.status()).isEqualTo(409);
        assertThat(e.code()).isEqualTo("duplicate_task");
        assertThat(e.problem().title()).isEqualTo("Conflict");
        assertThat(e.problem().detail()).isEqualTo("an identical task exists");
        assertThat(e.problem().errors()).containsExactly("same identity hash");
        assertThat(e.problem().extension("existing_task_uuid").asText()).isEqualTo(TASK.toString());
        assertThat(e.retryAfter()).isEmpty();
        assertThat(e.method()).isEqualTo("POST");
        assertThat(e.getMessage())
                .isEqualTo(
                        "POST "
                                + server.uri()
                                + "/v1/tasks: 409 duplicate_task: an identical task exists"
                                + " [same identity hash]");
    }

    @Test
    void an_overload_answer_carries_its_retry_after() {
        server.problem(
                503,
                """
                {"type": "https://tasker.dev/problems/database-busy", "title": "Service Unavailable",
                 "status": 503, "detail": "every database connection is in use; retry later",
                 "instance": "/v1/tasks", "code": "database_busy", "retryable": true}
                """,
                Map.of("Retry-After", "2"));

        TaskerApiException e = createTaskFails();

        assertThat(e.status()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("database_busy");
        assertThat(e.problem().retryable()).isTrue();
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(2));
        assertThat(e.headers().firstValue("Retry-After")).contains("2");
    }

    @Test
    void an_error_page_that_is_no_problem_document_is_described_by_its_status_and_text() {
        server.answer(502, "text/html", "<html>bad gateway</html>", Map.of());

        TaskerApiException e =
                catchThrowableOfType(TaskerApiException.class, () -> client.getTask(TASK));

        assertThat(e.status()).isEqualTo(502);
        assertThat(e.code()).isNull();
        assertThat(e.problem().status()).isEqualTo(502);
        assertThat(e.problem().title()).isEqualTo("HTTP 502");
        assertThat(e.problem().detail()).isEqualTo("<html>bad gateway</html>");
        assertThat(e.problem().instance()).isEqualTo("/v1/tasks/" + TASK);
        assertThat(e.problem().retryable()).isTrue();
    }

    @Test
    void a_success_answer_that_is_not_the_expected_record_is_a_client_error_not_an_api_error() {
        server.answer(200, "[1, 2]");

        assertThatThrownBy(() -> client.getTask(TASK))
                .isExactlyInstanceOf(TaskerClientException.class)
                .hasMessageContaining("answered 200 with a body that is not a Task");
    }

    @Test
    void a_refused_connection_is_a_connection_exception() throws Exception {
        URI closed;
        try (FakeOrchestrator gone = new FakeOrchestrator()) {
            closed = gone.uri();
        }
        TaskerClient nowhere = TaskerClient.create(closed);

        TaskerConnectionException e =
                catchThrowableOfType(TaskerConnectionException.class, () -> nowhere.getTask(TASK));

        assertThat(e.method()).isEqualTo("GET");
        assertThat(e.uri()).isEqualTo(URI.create(closed + "/v1/tasks/" + TASK));
        assertThat(e.getCause()).isInstanceOf(java.net.ConnectException.class);
        assertThat(e.getMessage())
                .startsWith("GET " + closed + "/v1/tasks/" + TASK + " got no answer");
    }

    @Test
    void an_answer_slower_than_the_request_timeout_is_a_connection_exception() {
        TaskerClient impatient =
                TaskerClient.create(
                        TaskerClientOptions.builder(server.uri())
                                .requestTimeout(Duration.ofMillis(200))
                                .build());
        server.slowAnswer(200, taskJson("pending"), 2_000);

        long t0 = System.nanoTime();
        TaskerConnectionException e =
                catchThrowableOfType(
                        TaskerConnectionException.class, () -> impatient.getTask(TASK));

        assertThat(e.getCause()).isInstanceOf(java.net.http.HttpTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1_500));
    }

    @Test
    void await_task_polls_until_a_terminal_state() {
        server.answer(200, taskJson("steps_in_process"))
                .answer(200, taskJson("evaluating_results"))
                .answer(200, taskJson("complete"));

        Task done = client.awaitTask(TASK, Duration.ofSeconds(10), Duration.ofMillis(20));

        assertThat(done.summary().status()).isEqualTo(TaskState.COMPLETE);
        assertThat(server.requests()).hasSize(3);
        assertThat(server.requests())
                .extracting(FakeOrchestrator.Recorded::path)
                .containsOnly("/v1/tasks/" + TASK);
    }

    @Test
    void await_task_gives_up_at_its_timeout_with_the_last_state_it_read() {
        server.answer(200, taskJson("steps_in_process"));

        long t0 = System.nanoTime();
        TaskAwaitTimeoutException e =
                awaitFails(
                        TaskAwaitTimeoutException.class,
                        Duration.ofMillis(300),
                        Duration.ofMillis(50));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(e.taskUuid()).isEqualTo(TASK);
        assertThat(e.timeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(e.lastSeen().summary().status()).isEqualTo(TaskState.STEPS_IN_PROCESS);
        assertThat(e.getMessage())
                .isEqualTo(
                        "task "
                                + TASK
                                + " did not finish within PT0.3S; last seen steps_in_process"
                                + " (0 of 1 steps complete, processing)");
        assertThat(took)
                .isGreaterThanOrEqualTo(Duration.ofMillis(300))
                .isLessThan(Duration.ofSeconds(3));
        assertThat(server.requests().size()).isBetween(3, 12);
    }

    @Test
    void an_error_while_awaiting_ends_the_wait_at_once() {
        server.answer(200, taskJson("steps_in_process"))
                .problem(
                        404,
                        "{\"status\": 404, \"code\": \"task_not_found\", \"detail\": \"no task\"}",
                        Map.of());

        TaskerApiException e =
                awaitFails(TaskerApiException.class, Duration.ofSeconds(30), Duration.ofMillis(10));

        assertThat(e.code()).isEqualTo("task_not_found");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void list_tasks_sends_every_filter_as_a_query_parameter() {
        server.answer(
                200,
                """
                {"tasks": [], "pagination": {"limit": 5, "offset": 10, "count": 0, "has_more": false}}
                """);

        TaskPage page =
                client.listTasks(
                        TaskFilter.builder()
                                .namespace("fulfillment")
                                .name("process order")
                                .status(TaskState.WAITING_FOR_RETRY)
                                .createdAfter(
                                        OffsetDateTime.of(
                                                2026, 12, 1, 8, 0, 0, 0, ZoneOffset.ofHours(1)))
                                .limit(5)
                                .offset(10)
                                .build());

        assertThat(server.lastRequest().path()).isEqualTo("/v1/tasks");
        assertThat(server.lastRequest().rawQuery())
                .isEqualTo(
                        "namespace=fulfillment&name=process%20order&status=waiting_for_retry"
                                + "&created_after=2026-12-01T08%3A00%3A00%2B01%3A00&limit=5&offset=10");
        assertThat(page.pagination().offset()).isEqualTo(10);
        assertThat(page.tasks()).isEmpty();

        client.listTasks(TaskFilter.all());
        assertThat(server.lastRequest().rawQuery()).isNull();
    }

    @Test
    void cancel_sends_the_reason_and_actor_as_query_parameters() {
        server.answer(200, taskJson("cancelled"));

        Task cancelled = client.cancelTask(TASK, "customer asked", "ops@example.com");

        assertThat(cancelled.summary().status()).isEqualTo(TaskState.CANCELLED);
        assertThat(server.lastRequest().method()).isEqualTo("DELETE");
        assertThat(server.lastRequest().path()).isEqualTo("/v1/tasks/" + TASK);
        assertThat(server.lastRequest().rawQuery())
                .isEqualTo("reason=customer%20asked&actor=ops%40example.com");
        assertThat(server.lastRequest().body()).isEmpty();

        client.cancelTask(TASK, null);
        assertThat(server.lastRequest().rawQuery()).isNull();
    }

    @Test
    void step_actions_patch_the_step_with_action_actor_reason_and_result() {
        server.answer(200, stepJson("complete"));

        Step step = client.completeStep(TASK, STEP, JsonSupport.parse("7"), "ops", "by hand");
        client.resetStep(TASK, STEP, "ops", "fixed");
        client.resolveStep(TASK, STEP, "ops", "not needed");
        client.completeStep(TASK, STEP, null, "ops", "nothing to hand on");

        assertThat(step.workflowStepUuid()).isEqualTo(STEP);
        assertThat(server.requests())
                .allSatisfy(
                        r -> {
                            assertThat(r.method()).isEqualTo("PATCH");
                            assertThat(r.path())
                                    .isEqualTo("/v1/tasks/" + TASK + "/workflow_steps/" + STEP);
                            assertThat(r.header("Content-Type")).isEqualTo("application/json");
                        });
        assertThat(server.requests())
                .extracting(r -> JsonSupport.parse(r.body()))
                .containsExactly(
                        JsonSupport.parse(
                                "{\"action\": \"complete_manually\", \"actor\": \"ops\", \"reason\": \"by hand\", \"result\": 7}"),
                        JsonSupport.parse(
                                "{\"action\": \"reset_for_retry\", \"actor\": \"ops\", \"reason\": \"fixed\"}"),
                        JsonSupport.parse(
                                "{\"action\": \"resolve_manually\", \"actor\": \"ops\", \"reason\": \"not needed\"}"),
                        JsonSupport.parse(
                                "{\"action\": \"complete_manually\", \"actor\": \"ops\", \"reason\": \"nothing to hand on\", \"result\": null}"));
    }

    @Test
    void steps_step_and_transitions_read_their_endpoints() {
        server.answer(200, "{\"workflow_steps\": [" + stepJson("pending") + "]}")
                .answer(200, stepJson("in_progress"))
                .answer(
                        200,
                        """
                        {"task_transitions": [{"from_state": null, "to_state": "pending", "reason": "created",
                          "metadata": {}, "most_recent": true, "sort_key": 1,
                          "created_at": "2026-12-02T10:00:00Z"}],
                         "step_transitions": [{"workflow_step_uuid": "%s", "step_name": "validate",
                          "from_state": "pending", "to_state": "enqueued", "reason": "ready",
                          "metadata": null, "most_recent": true, "sort_key": 2,
                          "created_at": "2026-12-02T10:00:00.5+00:00"}]}
                        """
                                .formatted(STEP));

        List<Step> steps = client.steps(TASK);
        Step one = client.step(TASK, STEP);
        Transitions trail = client.transitions(TASK);

        assertThat(steps).extracting(Step::status).containsExactly(StepState.PENDING);
        assertThat(one.status()).isEqualTo(StepState.IN_PROGRESS);
        assertThat(trail.taskTransitions().get(0).toState()).isEqualTo(TaskState.PENDING);
        assertThat(trail.stepTransitions().get(0).toState()).isEqualTo(StepState.ENQUEUED);
        assertThat(server.requests())
                .extracting(FakeOrchestrator.Recorded::path)
                .containsExactly(
                        "/v1/tasks/" + TASK + "/workflow_steps",
                        "/v1/tasks/" + TASK + "/workflow_steps/" + STEP,
                        "/v1/tasks/" + TASK + "/transitions");
    }

    @Test
    void templates_are_sent_as_yaml_or_json_and_read_back_with_encoded_path_segments() {
        String registration =
                """
                {"named_task_uuid": "%s", "namespace": "examples", "name": "linear", "version": "1.0.0",
                 "description": "", "identity_strategy": "strict", "content_hash": "ab",
                 "created_at": "2026-12-02T10:00:00+00:00", "step_count": 1,
                 "template": {"steps": []}, "created": true}
                """
                        .formatted(TASK);
        server.answer(201, registration)
                .answer(200, registration)
                .answer(200, registration.replace(", \"created\": true", ""))
                .answer(200, "{\"templates\": [], \"count\": 0}");

        TemplateRegistration yaml = client.registerTemplate("namespace: examples\nname: linear\n");
        client.registerTemplate("  {\"namespace\": \"examples\"}");
        Template template = client.getTemplate("examples", "odd name/x", "1.0.0");
        client.listTemplates("examples");

        assertThat(yaml.created()).isTrue();
        assertThat(template.summary().stepCount()).isEqualTo(1);
        List<FakeOrchestrator.Recorded> r = server.requests();
        assertThat(r.get(0).header("Content-Type")).isEqualTo("application/yaml");
        assertThat(r.get(0).body()).isEqualTo("namespace: examples\nname: linear\n");
        assertThat(r.get(1).header("Content-Type")).isEqualTo("application/json");
        assertThat(r.get(2).path()).isEqualTo("/v1/templates/examples/odd%20name%2Fx/1.0.0");
        assertThat(r.get(3).path()).isEqualTo("/v1/templates");
        assertThat(r.get(3).rawQuery()).isEqualTo("namespace=examples");
    }

    @Test
    void queues_and_the_dlq_read_and_resolve_entries() {
        UUID entry = UUID.fromString("0192a4f0-6c1e-7b3a-9d2e-3f4a5b6c7d99");
        String entryJson =
                """
                {"dlq_entry_uuid": "%s", "task_uuid": "%s", "original_state": "steps_in_process",
                 "reason": "staleness_timeout", "snapshot": {"steps": []},
                 "resolution_status": "manually_resolved", "resolution_notes": "no workers",
                 "resolved_by": "ops", "created_at": "2026-12-02T10:00:00+00:00",
                 "resolved_at": "2026-12-02T11:00:00+00:00"}
                """
                        .formatted(entry, TASK);
        server.answer(
                        200,
                        """
                        {"queues": [{"queue_name": "worker_examples_queue", "queue_length": 3,
                          "oldest_msg_age_sec": 5, "newest_msg_age_sec": 1, "total_messages": 40}],
                         "totals": {"queues": 1, "queue_length": 3, "total_messages": 40,
                          "oldest_msg_age_sec": 5}}
                        """)
                .answer(200, "{\"dlq_entries\": [" + entryJson + "]}")
                .answer(200, entryJson);

        QueueList queues = client.queues();
        DlqList pending = client.dlqEntries(DlqResolutionStatus.PENDING, 20);
        DlqEntry resolved =
                client.resolveDlqEntry(
                        entry,
                        new DlqResolutionRequest(
                                DlqResolutionStatus.MANUALLY_RESOLVED, "ops", "no workers"));

        assertThat(queues.queues().get(0).queueLength()).isEqualTo(3);
        assertThat(queues.totals().totalMessages()).isEqualTo(40);
        assertThat(pending.dlqEntries()).extracting(DlqEntry::taskUuid).containsExactly(TASK);
        assertThat(resolved.resolutionStatus()).isEqualTo(DlqResolutionStatus.MANUALLY_RESOLVED);
        List<FakeOrchestrator.Recorded> r = server.requests();
        assertThat(r.get(0).path()).isEqualTo("/v1/queues");
        assertThat(r.get(1).path()).isEqualTo("/v1/dlq");
        assertThat(r.get(1).rawQuery()).isEqualTo("resolution_status=pending&limit=20");
        assertThat(r.get(2).method()).isEqualTo("PATCH");
        assertThat(r.get(2).path()).isEqualTo("/v1/dlq/" + entry);
        assertThat(JsonSupport.parse(r.get(2).body()))
                .isEqualTo(
                        JsonSupport.parse(
                                "{\"resolution_status\": \"manually_resolved\", \"resolved_by\": \"ops\","
                                        + " \"resolution_notes\": \"no workers\"}"));
    }

    @Test
    void a_base_uri_with_a_path_prefixes_every_request() {
        TaskerClient behindProxy = TaskerClient.create(server.uri() + "/tasker/");
        server.answer(200, taskJson("pending"));

        behindProxy.getTask(TASK);

        assertThat(server.lastRequest().path()).isEqualTo("/tasker/v1/tasks/" + TASK);
        assertThat(behindProxy.options().baseUri()).isEqualTo(URI.create(server.uri() + "/tasker"));
    }

    /** The exception of creating a small task, for tests whose server answers with an error. */
    private TaskerApiException createTaskFails() {
        return catchThrowableOfType(
                TaskerApiException.class,
                () ->
                        client.createTask(
                                CreateTaskRequest.of("examples", "linear", JsonSupport.object())));
    }

    /** The exception that ends {@code awaitTask} of {@link #TASK}. */
    private <E extends Throwable> E awaitFails(Class<E> type, Duration timeout, Duration poll) {
        return catchThrowableOfType(type, () -> client.awaitTask(TASK, timeout, poll));
    }

    // --- answers ------------------------------------------------------------------------------

    private static String taskJson(String status) {
        boolean done = status.equals("complete");
        return """
                {"task_uuid": "%s", "namespace": "examples", "name": "linear", "version": "1.0.0",
                 "status": "%s", "priority": 0, "correlation_id": null, "initiator": null,
                 "source_system": null, "reason": null, "tags": [],
                 "created_at": "2026-12-02T10:00:00.123456+00:00",
                 "updated_at": "2026-12-02T10:00:01+00:00", "completed_at": null,
                 "context": {"even_number": 6}, "identity_hash": "ab",
                 "execution_summary": {"total_steps": 1, "pending_steps": 0, "enqueued_steps": 0,
                   "in_progress_steps": 0, "completed_steps": %d, "failed_steps": 0,
                   "waiting_for_retry_steps": 0, "cancelled_steps": 0, "ready_steps": 0,
                   "blocked_steps": 0, "execution_status": "%s", "health_status": "healthy"},
                 "steps": [%s]}
                """
                .formatted(
                        TASK,
                        status,
                        done ? 1 : 0,
                        done ? "all_complete" : "processing",
                        stepJson(done ? "complete" : "in_progress"));
    }

    private static String stepJson(String status) {
        return """
                {"workflow_step_uuid": "%s", "task_uuid": "%s", "name": "validate", "position": 0,
                 "handler": "examples.noop", "status": "%s", "attempts": 1, "max_attempts": 3,
                 "retryable": true, "timeout_seconds": 30, "config": {},
                 "results": {"big": 123456789012345678901234567890, "total": 0.10},
                 "last_error": null, "next_retry_at": null, "claimed_by": "worker-1",
                 "lease_expires_at": null, "created_at": "2026-12-02T10:00:00+00:00",
                 "updated_at": "2026-12-02T10:00:01+00:00", "completed_at": null, "depends_on": [],
                 "attempt_history": [{"generation": 0, "attempt": 1, "worker_id": "worker-1",
                   "started_at": "2026-12-02T10:00:00.5+00:00",
                   "finished_at": "2026-12-02T10:00:01+00:00", "outcome": "success", "error": null}]}
                """
                .formatted(STEP, TASK, status);
    }
}

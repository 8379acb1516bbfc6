package io.tasker.migrations;

import static io.tasker.migrations.Sql.queryOne;
import static io.tasker.migrations.Sql.sqlStateOf;
import static io.tasker.migrations.Sql.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.tasker.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A template step may name another namespace than its template's: the step is sent to, claimed
 * from, reported through and retried in that namespace's queue, and a worker scoped to a namespace
 * works exactly the steps of that namespace (V202612021400__step_namespaces.sql).
 */
class StepNamespacesTest {

    private static final String JVM = "split_jvm";
    private static final String NODE = "split_node";
    private static final String JVM_QUEUE = "worker_split_jvm_queue";
    private static final String NODE_QUEUE = "worker_split_node_queue";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    /** A task of namespace split_jvm: first (jvm) -> second (node) -> third (jvm). */
    private static final String SPLIT =
            """
            {"steps": [
              {"name": "first", "handler": "examples.square"},
              {"name": "second", "handler": "node.digits", "namespace": "split_node",
               "depends_on": ["first"], "retry": {"max_attempts": 3, "backoff_base_ms": 0}},
              {"name": "third", "handler": "examples.square", "namespace": "split_jvm",
               "depends_on": ["second"]}
            ]}
            """;

    private static TestDatabase.Database database;
    private static Connection admin;
    private static UUID template;
    private static Logins logins;
    private static Connection jvmWorker;
    private static Connection nodeWorker;

    @BeforeAll
    static void setUp() throws SQLException {
        database = TestDatabase.freshMigrated("stepns");
        admin = database.connect();
        Workflows.namespace(admin, JVM);
        Workflows.namespace(admin, NODE);
        template = Workflows.template(admin, JVM, "split", SPLIT);
        logins = new Logins(database, admin);
        jvmWorker = logins.login("stepns", scopedGroup(JVM));
        nodeWorker = logins.login("stepns", scopedGroup(NODE));
    }

    @AfterAll
    static void tearDown() throws SQLException {
        for (Connection c : new Connection[] {jvmWorker, nodeWorker}) {
            if (c != null) {
                c.close();
            }
        }
        if (admin != null) {
            logins.dropAll();
            admin.close();
        }
    }

    @Test
    void each_step_is_sent_to_claimed_from_and_reported_through_its_namespace_queue()
            throws SQLException {
        UUID task = Workflows.createTask(admin, template);
        UUID first = Workflows.step(admin, task, "first");
        UUID second = Workflows.step(admin, task, "second");
        UUID third = Workflows.step(admin, task, "third");
        assertThat(stepNamespace(first)).isEqualTo(JVM);
        assertThat(stepNamespace(second)).isEqualTo(NODE);
        assertThat(stepNamespace(third)).isEqualTo(JVM);
        assertThat(messageCount(JVM_QUEUE, first)).isEqualTo(1);
        assertThat(messageCount(NODE_QUEUE, first)).isZero();

        runAs(jvmWorker, first, JVM_QUEUE, "{\"square\": 49}");
        assertThat(messageCount(JVM_QUEUE, second)).isZero();
        assertThat(messageCount(NODE_QUEUE, second)).isEqualTo(1);
        assertThat(
                        queryOne(
                                admin,
                                "SELECT message->>'namespace' FROM pgmq.q_"
                                        + NODE_QUEUE
                                        + " WHERE message->>'step_uuid' = ?",
                                String.class,
                                second.toString()))
                .isEqualTo(NODE);

        String claim = Workflows.claim(admin, nodeWorker, second, "node-1", NODE_QUEUE);
        assertThat(claim)
                .contains("\"status\": \"claimed\"")
                .contains("\"namespace\": \"split_jvm\"")
                .contains("\"dependency_results\": {\"first\": {\"square\": 49}}");
        UUID token = ClaimTokens.of(claim);
        assertThat(heartbeat(nodeWorker, second, token)).isTrue();
        assertThat(Workflows.report(nodeWorker, second, token, "success", "{\"digits\": 2}", null))
                .isEqualTo("accepted");
        assertThat(messageCount(NODE_QUEUE, second)).isZero();
        Workflows.process(admin, second);

        assertThat(messageCount(JVM_QUEUE, third)).isEqualTo(1);
        assertThat(messageCount(NODE_QUEUE, third)).isZero();
        String thirdClaim = Workflows.claim(admin, jvmWorker, third, "jvm-1", JVM_QUEUE);
        assertThat(thirdClaim)
                .contains(
                        "\"dependency_results\": {\"first\": {\"square\": 49}, \"second\": {\"digits\": 2}}");
        assertThat(
                        Workflows.report(
                                jvmWorker,
                                third,
                                ClaimTokens.of(thirdClaim),
                                "success",
                                "{\"square\": 4}",
                                null))
                .isEqualTo("accepted");
        Workflows.process(admin, third);
        assertThat(Workflows.taskState(admin, task)).isEqualTo("complete");
    }

    @Test
    void a_worker_scoped_to_one_namespace_cannot_work_the_other_namespace_steps()
            throws SQLException {
        UUID task = Workflows.createTask(admin, template);
        UUID first = Workflows.step(admin, task, "first");
        UUID second = Workflows.step(admin, task, "second");
        long firstMessage = Workflows.newestMessage(admin, JVM_QUEUE, first);

        // The node worker cannot claim the task's first step (namespace split_jvm), through its
        // queue or by naming the message in its own.
        sqlStateOf(() -> Workflows.claim(nodeWorker, first, "node-1", JVM_QUEUE, firstMessage))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(Workflows.stepState(admin, first)).isEqualTo("enqueued");

        runAs(jvmWorker, first, JVM_QUEUE, "{\"square\": 9}");
        long secondMessage = Workflows.newestMessage(admin, NODE_QUEUE, second);
        // The JVM worker, although scoped to the task's namespace, cannot claim the node step.
        sqlStateOf(() -> Workflows.claim(jvmWorker, second, "jvm-1", NODE_QUEUE, secondMessage))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
        // Nor through a message naming it in the task's queue, even as an all-namespaces worker:
        // the step is not of that queue's namespace.
        long stray =
                queryOne(
                        admin,
                        "SELECT * FROM pgmq.send(?::text, jsonb_build_object('step_uuid', ?::text), 0)",
                        Long.class,
                        JVM_QUEUE,
                        second.toString());
        sqlStateOf(() -> Workflows.claim(admin, second, "jvm-1", JVM_QUEUE, stray))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);

        String claim = Workflows.claim(admin, nodeWorker, second, "node-1", NODE_QUEUE);
        UUID token = ClaimTokens.of(claim);
        sqlStateOf(() -> heartbeat(jvmWorker, second, token)).isEqualTo(INSUFFICIENT_PRIVILEGE);
        sqlStateOf(() -> Workflows.report(jvmWorker, second, token, "success", "{\"x\": 1}", null))
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(Workflows.stepState(admin, second)).isEqualTo("in_progress");
        assertThat(Workflows.report(nodeWorker, second, token, "success", "{\"x\": 1}", null))
                .isEqualTo("accepted");
    }

    @Test
    void a_retry_is_sent_again_to_the_step_namespace_queue() throws SQLException {
        UUID task = Workflows.createTask(admin, template);
        UUID first = Workflows.step(admin, task, "first");
        UUID second = Workflows.step(admin, task, "second");
        runAs(jvmWorker, first, JVM_QUEUE, "{\"square\": 4}");

        String claim = Workflows.claim(admin, nodeWorker, second, "node-1", NODE_QUEUE);
        assertThat(
                        Workflows.report(
                                nodeWorker,
                                second,
                                ClaimTokens.of(claim),
                                "retryable_failure",
                                null,
                                "{\"message\": \"try again\"}"))
                .isEqualTo("accepted");
        assertThat(Workflows.process(admin, second)).contains("\"action\": \"retry_scheduled\"");

        assertThat(messageCount(JVM_QUEUE, second)).isZero();
        assertThat(
                        queryOne(
                                admin,
                                "SELECT message->>'attempt' FROM pgmq.q_"
                                        + NODE_QUEUE
                                        + " WHERE message->>'step_uuid' = ?",
                                String.class,
                                second.toString()))
                .isEqualTo("2");
    }

    @Test
    void a_poison_message_in_the_step_namespace_queue_fails_the_step() throws SQLException {
        UUID task = Workflows.createTask(admin, template);
        UUID first = Workflows.step(admin, task, "first");
        UUID second = Workflows.step(admin, task, "second");
        runAs(jvmWorker, first, JVM_QUEUE, "{\"square\": 1}");
        long message = Workflows.newestMessage(admin, NODE_QUEUE, second);

        assertThat(
                        queryOne(
                                nodeWorker,
                                "SELECT tasker.archive_poison_message(?::text, ?::bigint, 'poison')",
                                Boolean.class,
                                NODE_QUEUE,
                                message))
                .isTrue();
        assertThat(Workflows.stepState(admin, second))
                .isEqualTo("enqueued_as_error_for_orchestration");
    }

    @Test
    void a_step_without_a_namespace_of_its_own_is_served_by_its_task_namespace()
            throws SQLException {
        // A step created before step namespaces existed: its namespace is NULL.
        UUID task = Workflows.createTask(admin, template);
        UUID first = Workflows.step(admin, task, "first");
        UUID second = Workflows.step(admin, task, "second");
        assertThat(
                        update(
                                admin,
                                "UPDATE tasker.workflow_steps SET namespace = NULL WHERE workflow_step_uuid = ?",
                                first))
                .isEqualTo(1);
        runAs(jvmWorker, first, JVM_QUEUE, "{\"square\": 16}");
        assertThat(Workflows.stepState(admin, first)).isEqualTo("complete");
        assertThat(messageCount(NODE_QUEUE, second)).isEqualTo(1);
    }

    @Test
    void a_step_namespace_must_be_a_namespace_name() throws SQLException {
        UUID first = Workflows.step(admin, Workflows.createTask(admin, template), "first");
        sqlStateOf(
                        () ->
                                update(
                                        admin,
                                        "UPDATE tasker.workflow_steps SET namespace = 'Bad-Name'"
                                                + " WHERE workflow_step_uuid = ?",
                                        first))
                .isEqualTo("23514");
    }

    // --- helpers -----------------------------------------------------------------------------

    /** A new group role scoped to {@code namespace}, dropped when the class ends. */
    private static String scopedGroup(String namespace) throws SQLException {
        String group = namespace + "_workers_" + UUID.randomUUID().toString().substring(0, 8);
        queryOne(
                admin,
                "SELECT tasker.grant_worker_namespaces(?::name, ARRAY[?::text])::text",
                String.class,
                group,
                namespace);
        logins.track(group);
        return group;
    }

    /** Claims as {@code worker}, reports success with {@code result}, processes as the admin. */
    private static void runAs(Connection worker, UUID step, String queue, String result)
            throws SQLException {
        String claim = Workflows.claim(admin, worker, step, "w", queue);
        assertThat(claim).contains("\"status\": \"claimed\"");
        assertThat(Workflows.report(worker, step, ClaimTokens.of(claim), "success", result, null))
                .isEqualTo("accepted");
        Workflows.process(admin, step);
    }

    private static boolean heartbeat(Connection c, UUID step, UUID token) throws SQLException {
        return Workflows.heartbeat(c, step, token);
    }

    private static String stepNamespace(UUID step) throws SQLException {
        return queryOne(
                admin,
                "SELECT namespace FROM tasker.workflow_steps WHERE workflow_step_uuid = ?",
                String.class,
                step);
    }

    private static long messageCount(String queue, UUID step) throws SQLException {
        return Workflows.messageCount(admin, queue, step);
    }
}

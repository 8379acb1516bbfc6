package io.tasker.migrations;

import static io.tasker.migrations.Sql.execute;
import static io.tasker.migrations.Sql.queryOne;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The fixture of the SQL tests: a namespace with its queue, a template, and the workflow functions
 * called the way the services call them. Every method takes the connection it acts through, so a
 * test can make the same call as the admin, the worker role or the orchestrator role.
 */
final class Workflows {

    static final String RESULTS = "orchestration_step_results";

    private Workflows() {}

    /** Registers namespace {@code ns} and creates its worker queue; returns the queue's name. */
    static String namespace(Connection c, String ns) throws SQLException {
        String queue = "worker_" + ns + "_queue";
        execute(c, "INSERT INTO tasker.task_namespaces (name) VALUES (?)", ns);
        execute(c, "SELECT tasker.ensure_queue(?)", queue);
        return queue;
    }

    /** Stores template {@code name} 1.0.0 of {@code ns} with the given configuration JSON. */
    static UUID template(Connection c, String ns, String name, String configuration)
            throws SQLException {
        return queryOne(
                c,
                "INSERT INTO tasker.named_tasks (namespace, name, version, configuration, content_hash)"
                        + " VALUES (?, ?, '1.0.0', ?::jsonb, 'h') RETURNING named_task_uuid",
                UUID.class,
                ns,
                name,
                configuration);
    }

    /** A new task of {@code template} with an empty context and a fresh identity. */
    static UUID createTask(Connection c, UUID template) throws SQLException {
        return createTask(c, template, "{}");
    }

    static UUID createTask(Connection c, UUID template, String context) throws SQLException {
        return queryOne(
                c,
                "SELECT tasker.create_task(?, ?::jsonb, ?, 0, NULL, 'test', NULL, NULL, NULL)",
                UUID.class,
                template,
                context,
                UUID.randomUUID().toString());
    }

    /** The step of {@code task} named {@code name}. */
    static UUID step(Connection c, UUID task, String name) throws SQLException {
        return queryOne(
                c,
                "SELECT workflow_step_uuid FROM tasker.workflow_steps WHERE task_uuid = ? AND name = ?",
                UUID.class,
                task,
                name);
    }

    /** The id of the newest message about {@code step} in {@code queue}, or null. */
    static Long newestMessage(Connection c, String queue, UUID step) throws SQLException {
        return queryOne(
                c,
                "SELECT max(msg_id) FROM pgmq.q_" + queue + " WHERE message->>'step_uuid' = ?",
                Long.class,
                step.toString());
    }

    /** How many messages about {@code step} {@code queue} holds (read as {@code admin}). */
    static long messageCount(Connection admin, String queue, UUID step) throws SQLException {
        return queryOne(
                admin,
                "SELECT count(*) FROM pgmq.q_" + queue + " WHERE message->>'step_uuid' = ?",
                Long.class,
                step.toString());
    }

    /** Extends the lease of the claim {@code token} of {@code step} by 60 s; false when lost. */
    static boolean heartbeat(Connection c, UUID step, UUID token) throws SQLException {
        return queryOne(
                c,
                "SELECT tasker.heartbeat_step(?::uuid, ?::uuid, 60)",
                Boolean.class,
                step,
                token);
    }

    /**
     * Claims {@code step} through its newest message in {@code queue}, as a worker does (the
     * message is looked up as the admin: {@code c} may be a role that cannot read the table).
     * Returns the claim's JSON text.
     */
    static String claim(Connection admin, Connection c, UUID step, String worker, String queue)
            throws SQLException {
        return claim(c, step, worker, queue, newestMessage(admin, queue, step));
    }

    /**
     * Claims {@code step} through message {@code msgId} of {@code queue}; the claim's JSON text.
     */
    static String claim(Connection c, UUID step, String worker, String queue, Long msgId)
            throws SQLException {
        return queryOne(
                c,
                "SELECT tasker.claim_step(?::uuid, ?::text, 5, ?::text, ?::bigint)::text",
                String.class,
                step,
                worker,
                queue,
                msgId);
    }

    static String claim(Connection c, UUID step, String worker, String queue) throws SQLException {
        return claim(c, c, step, worker, queue);
    }

    /** Reports an outcome with a claim token: {@code accepted}, or why not. */
    static String report(
            Connection c, UUID step, UUID token, String outcome, String result, String error)
            throws SQLException {
        return queryOne(
                c,
                "SELECT tasker.report_step_result(?::uuid, ?::uuid, ?::text, ?::jsonb, ?::jsonb)",
                String.class,
                step,
                token,
                outcome,
                result,
                error);
    }

    /** Processes the result of {@code step} as the orchestrator does; returns its JSON text. */
    static String process(Connection c, UUID step) throws SQLException {
        return queryOne(c, "SELECT tasker.process_step_result(?)::text", String.class, step);
    }

    /** Claims, reports success with {@code result} and processes the result. */
    static String run(Connection c, UUID step, String queue, String result) throws SQLException {
        String claim = claim(c, step, "w1", queue);
        String answer = report(c, step, ClaimTokens.of(claim), "success", result, null);
        if (!answer.equals("accepted")) {
            throw new IllegalStateException("report of " + step + " was " + answer);
        }
        return process(c, step);
    }

    static String taskState(Connection c, UUID task) throws SQLException {
        return queryOne(
                c,
                "SELECT current_state FROM tasker.tasks WHERE task_uuid = ?",
                String.class,
                task);
    }

    static String stepState(Connection c, UUID step) throws SQLException {
        return queryOne(
                c,
                "SELECT current_state FROM tasker.workflow_steps WHERE workflow_step_uuid = ?",
                String.class,
                step);
    }
}

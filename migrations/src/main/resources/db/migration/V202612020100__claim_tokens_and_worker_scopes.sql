-- Claim tokens and namespace-scoped worker roles.
--
-- A claim creates a random token, stored on the step and on its attempt row and handed to the
-- worker in the claim; heartbeat and report act only with the token of the step's current claim,
-- and report deletes the message recorded at claim time, never one the caller names. Each worker
-- function checks that the queue, the message and the step it is given belong together, and that
-- the CALLER (session_user: inside a SECURITY DEFINER function current_user is the owner) may act
-- on the step's namespace:
--   all namespaces   members of tasker_orchestrator or tasker_worker, and the owner of schema tasker
--   some namespaces  members of a role recorded by tasker.grant_worker_namespaces
-- Refusals raise SQLSTATE 42501 (insufficient_privilege) naming what was refused.
--
-- Lock order (see V202612020200__lock_order_and_history.sql): task, then steps in uuid order,
-- then queue rows. The worker functions lock one step and then at most its queue message.

ALTER TABLE tasker.workflow_steps
    ADD COLUMN claim_token    uuid,
    ADD COLUMN claimed_queue  text,
    ADD COLUMN claimed_msg_id bigint;
ALTER TABLE tasker.workflow_step_attempts
    ADD COLUMN claim_token    uuid,
    ADD COLUMN claimed_queue  text,
    ADD COLUMN claimed_msg_id bigint;
CREATE UNIQUE INDEX workflow_step_attempts_claim_token_idx
    ON tasker.workflow_step_attempts (claim_token) WHERE claim_token IS NOT NULL;

-- Worker roles limited to some namespaces (maintained by tasker.grant_worker_namespaces).
CREATE TABLE tasker.worker_namespace_scopes (
    role_name  name NOT NULL,
    namespace  text NOT NULL CHECK (namespace ~ '^[a-z][a-z0-9_]{0,28}$'),
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (role_name, namespace)
);
CREATE INDEX worker_namespace_scopes_namespace_idx ON tasker.worker_namespace_scopes (namespace);

-- True when the session's login may act on every namespace: the orchestrator, the all-namespaces
-- worker group and the schema owner (who runs the migrations).
CREATE FUNCTION tasker.caller_has_all_namespaces()
RETURNS boolean
LANGUAGE sql STABLE AS $fn$
    SELECT pg_catalog.pg_has_role(session_user, 'tasker_orchestrator', 'MEMBER')
        OR pg_catalog.pg_has_role(session_user, 'tasker_worker', 'MEMBER')
        OR pg_catalog.pg_has_role(session_user, n.nspowner, 'MEMBER')
      FROM pg_catalog.pg_namespace n
     WHERE n.nspname = 'tasker'
$fn$;

-- True when the session's login may act on the steps and queue of p_namespace.
CREATE FUNCTION tasker.caller_may_use_namespace(p_namespace text)
RETURNS boolean
LANGUAGE sql STABLE AS $fn$
    SELECT tasker.caller_has_all_namespaces()
        OR EXISTS (SELECT 1
                     FROM tasker.worker_namespace_scopes s
                     JOIN pg_catalog.pg_roles r ON r.rolname = s.role_name
                    WHERE s.namespace = p_namespace
                      AND pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER'))
$fn$;

-- The namespace of a worker queue name ('worker_<namespace>_queue'), NULL for any other queue.
CREATE FUNCTION tasker.queue_namespace(p_queue text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT (pg_catalog.regexp_match(p_queue, '^worker_([a-z][a-z0-9_]{0,28})_queue$'))[1]
$fn$;

-- Raises insufficient_privilege unless the caller may act on p_namespace.
CREATE FUNCTION tasker.require_namespace(p_namespace text, p_what text)
RETURNS void
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    IF p_namespace IS NULL OR NOT tasker.caller_may_use_namespace(p_namespace) THEN
        RAISE EXCEPTION 'namespace_not_permitted: % may not % in namespace %',
            session_user, p_what, coalesce(p_namespace, '(none)') USING ERRCODE = '42501';
    END IF;
END;
$fn$;

-- The body of message p_msg_id of queue p_queue, NULL when the queue has no such message. Invalid
-- or unknown queue names are an error (22023), so a name never reaches SQL unchecked.
CREATE FUNCTION tasker.queue_message(p_queue text, p_msg_id bigint)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    v_message jsonb;
BEGIN
    IF p_queue IS NULL OR p_queue !~ '^[a-z][a-z0-9_]{0,46}$'
       OR pg_catalog.to_regclass('pgmq.' || pg_catalog.quote_ident('q_' || p_queue)) IS NULL THEN
        RAISE EXCEPTION 'unknown_queue: %', pg_catalog.quote_nullable(p_queue) USING ERRCODE = '22023';
    END IF;
    EXECUTE pg_catalog.format('SELECT message FROM pgmq.%I WHERE msg_id = $1', 'q_' || p_queue)
       INTO v_message USING p_msg_id;
    RETURN v_message;
END;
$fn$;

-- The step uuid a message names, NULL when it names none (or not a valid uuid).
CREATE FUNCTION tasker.message_step(p_message jsonb)
RETURNS uuid
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT CASE WHEN p_message->>'step_uuid' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                THEN (p_message->>'step_uuid')::uuid END
$fn$;

-- The unsafe signatures go: nothing has been released with them.
DROP FUNCTION tasker.claim_step(uuid, text, integer, text, bigint);
DROP FUNCTION tasker.heartbeat_step(uuid, integer, text, integer, text, bigint);
DROP FUNCTION tasker.report_step_result(uuid, integer, text, text, jsonb, jsonb, text, bigint);
DROP FUNCTION tasker.archive_poison_message(text, bigint, text, uuid);

-- Claims a step for one attempt through the message (p_queue, p_msg_id) that names it. Refused
-- (42501) when the caller may not use the queue's namespace or the step is not of that namespace;
-- 22023 when the message names another step. Claimable: 'enqueued', or 'in_progress' whose lease
-- expired (the lost attempt is recorded and counts). Returns {"status": "claimed", "claim_token",
-- ...everything the handler needs}, {"status": "busy"} while another attempt holds a live lease
-- (leave the message; its vt is set to the end of that lease), or {"status": "not_claimable"}
-- (the caller deletes the message). The message vt is set to the lease so the message stays
-- hidden exactly as long.
CREATE FUNCTION tasker.claim_step(
    p_step_uuid uuid, p_worker_id text, p_lease_grace_seconds integer, p_queue text, p_msg_id bigint)
RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
    v_namespace text := tasker.queue_namespace(p_queue);
    v_message jsonb;
    v_step tasker.workflow_steps;
    v_task tasker.tasks;
    v_lease integer;
    v_from text;
    v_token uuid;
BEGIN
    PERFORM tasker.require_namespace(v_namespace, 'claim from queue ' || coalesce(p_queue, '(null)'));
    v_message := tasker.queue_message(p_queue, p_msg_id);
    IF v_message IS NULL THEN
        RETURN jsonb_build_object('status', 'not_claimable', 'reason', 'message_not_found');
    END IF;
    IF tasker.message_step(v_message) IS DISTINCT FROM p_step_uuid THEN
        RAISE EXCEPTION 'message_mismatch: message % of % does not name step %', p_msg_id, p_queue, p_step_uuid
            USING ERRCODE = '22023';
    END IF;
    SELECT * INTO v_step FROM tasker.workflow_steps WHERE workflow_step_uuid = p_step_uuid FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('status', 'not_claimable', 'reason', 'unknown_step');
    END IF;
    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = v_step.task_uuid;
    IF v_task.namespace <> v_namespace THEN
        RAISE EXCEPTION 'namespace_not_permitted: step % is not of the namespace of queue %', p_step_uuid, p_queue
            USING ERRCODE = '42501';
    END IF;
    v_from := v_step.current_state;
    IF v_from = 'in_progress' AND v_step.lease_expires_at < clock_timestamp() THEN
        UPDATE tasker.workflow_step_attempts
           SET finished_at = clock_timestamp(), outcome = 'lease_expired',
               error = jsonb_build_object('type', 'lease_expired', 'message',
                                          'worker ' || coalesce(v_step.claimed_by, '?') || ' lost its lease')
         WHERE workflow_step_uuid = p_step_uuid AND generation = v_step.attempt_generation
           AND attempt = v_step.attempts AND outcome IS NULL;
        IF v_step.attempts >= v_step.max_attempts OR NOT v_step.retryable THEN
            -- The lost attempt was the last one: report it as a failure to the orchestrator.
            UPDATE tasker.workflow_steps
               SET last_error = jsonb_build_object('type', 'lease_expired', 'retryable', false,
                                                   'message', 'lease expired on the last attempt'),
                   claimed_by = NULL, lease_expires_at = NULL, claim_token = NULL
             WHERE workflow_step_uuid = p_step_uuid;
            PERFORM tasker.transition_step(p_step_uuid, 'in_progress', 'enqueued_as_error_for_orchestration',
                                           'lease_expired', jsonb_build_object('attempt', v_step.attempts));
            PERFORM pgmq.send('orchestration_step_results', jsonb_build_object(
                'task_uuid', v_step.task_uuid, 'step_uuid', p_step_uuid, 'attempt', v_step.attempts,
                'outcome', 'failure', 'namespace', v_task.namespace, 'step_name', v_step.name,
                'correlation_id', v_task.correlation_id), 0);
            RETURN jsonb_build_object('status', 'not_claimable', 'reason', 'attempts_exhausted');
        END IF;
    ELSIF v_from = 'in_progress' THEN
        -- The message surfaced just before the lease ran out: hide it until the lease ends, so the
        -- next reader finds an expired lease instead of waiting a whole read visibility timeout.
        PERFORM pgmq.set_vt(p_queue, p_msg_id,
                            greatest(1, ceil(extract(epoch FROM (v_step.lease_expires_at - clock_timestamp())))::integer + 1));
        RETURN jsonb_build_object('status', 'busy', 'lease_expires_at', v_step.lease_expires_at);
    ELSIF v_from <> 'enqueued' THEN
        RETURN jsonb_build_object('status', 'not_claimable', 'reason', v_from);
    END IF;

    v_lease := v_step.timeout_seconds + greatest(p_lease_grace_seconds, 1);
    v_token := gen_random_uuid();
    UPDATE tasker.workflow_steps
       SET attempts = attempts + 1,
           claimed_by = p_worker_id,
           claim_token = v_token,
           claimed_queue = p_queue,
           claimed_msg_id = p_msg_id,
           lease_expires_at = clock_timestamp() + make_interval(secs => v_lease),
           next_retry_at = NULL
     WHERE workflow_step_uuid = p_step_uuid
     RETURNING * INTO v_step;
    PERFORM tasker.transition_step(p_step_uuid, v_from, 'in_progress',
                                   CASE WHEN v_from = 'in_progress' THEN 'reclaimed_after_lease_expiry' ELSE 'claimed' END,
                                   jsonb_build_object('attempt', v_step.attempts, 'worker_id', p_worker_id));
    INSERT INTO tasker.workflow_step_attempts
        (workflow_step_uuid, generation, attempt, worker_id, claim_token, claimed_queue, claimed_msg_id)
    VALUES (p_step_uuid, v_step.attempt_generation, v_step.attempts, p_worker_id, v_token, p_queue, p_msg_id)
    ON CONFLICT (workflow_step_uuid, generation, attempt) DO UPDATE
       SET claim_token = EXCLUDED.claim_token, claimed_queue = EXCLUDED.claimed_queue,
           claimed_msg_id = EXCLUDED.claimed_msg_id, worker_id = EXCLUDED.worker_id;
    PERFORM pgmq.set_vt(p_queue, p_msg_id, v_lease);

    RETURN jsonb_build_object(
        'status', 'claimed',
        'claim_token', v_token,
        'task_uuid', v_task.task_uuid,
        'step_uuid', v_step.workflow_step_uuid,
        'correlation_id', v_task.correlation_id,
        'namespace', v_task.namespace,
        'task_name', v_task.name,
        'task_version', v_task.version,
        'context', v_task.context,
        'step_name', v_step.name,
        'handler', v_step.handler,
        'config', v_step.config,
        'inputs', v_step.inputs,
        'attempt', v_step.attempts,
        'max_attempts', v_step.max_attempts,
        'timeout_seconds', v_step.timeout_seconds,
        'lease_seconds', v_lease,
        'parents', (SELECT coalesce(jsonb_agg(p.name ORDER BY p.name), '[]'::jsonb)
                      FROM tasker.workflow_step_edges e
                      JOIN tasker.workflow_steps p
                        ON p.workflow_step_uuid = e.from_step_uuid AND p.task_uuid = v_step.task_uuid
                     WHERE e.to_step_uuid = v_step.workflow_step_uuid),
        'dependency_results', tasker.ancestor_results(v_step.task_uuid, v_step.workflow_step_uuid));
END;
$fn$;

-- Extends the lease of the claim identified by p_claim_token (and the vt of the message it was
-- claimed through). False when the token is not the step's current claim: nothing changes.
CREATE FUNCTION tasker.heartbeat_step(p_step_uuid uuid, p_claim_token uuid, p_lease_seconds integer)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    v_step tasker.workflow_steps;
    v_namespace text;
BEGIN
    IF p_lease_seconds IS NULL OR p_lease_seconds < 1 OR p_lease_seconds > 86400 THEN
        RAISE EXCEPTION 'invalid_lease: % seconds (1..86400)', p_lease_seconds USING ERRCODE = '22023';
    END IF;
    SELECT s.* INTO v_step FROM tasker.workflow_steps s WHERE s.workflow_step_uuid = p_step_uuid FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    SELECT namespace INTO v_namespace FROM tasker.tasks WHERE task_uuid = v_step.task_uuid;
    PERFORM tasker.require_namespace(v_namespace, 'heartbeat step ' || p_step_uuid);
    IF v_step.current_state <> 'in_progress' OR v_step.claim_token IS DISTINCT FROM p_claim_token THEN
        RETURN false;
    END IF;
    UPDATE tasker.workflow_steps
       SET lease_expires_at = clock_timestamp() + make_interval(secs => p_lease_seconds)
     WHERE workflow_step_uuid = p_step_uuid;
    PERFORM pgmq.set_vt(v_step.claimed_queue, v_step.claimed_msg_id, p_lease_seconds);
    RETURN true;
END;
$fn$;

-- Stores the outcome of the attempt that holds the claim p_claim_token. On acceptance the step
-- moves to the orchestration state, a notice goes to orchestration_step_results and the message
-- recorded at claim time is deleted, all in the caller's transaction. Returns 'accepted',
-- 'discarded' (the step was cancelled or resolved by an operator: the message of that claim is
-- dropped) or 'rejected': the token is not the step's current claim. The attempt row of a real
-- earlier claim is then marked rejected_late; an unknown step or token changes nothing at all.
CREATE FUNCTION tasker.report_step_result(
    p_step_uuid uuid, p_claim_token uuid, p_outcome text, p_result jsonb, p_error jsonb)
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    v_step tasker.workflow_steps;
    v_task tasker.tasks;
    v_attempt tasker.workflow_step_attempts;
    v_to text;
BEGIN
    IF p_outcome IS NULL OR p_outcome NOT IN ('success', 'retryable_failure', 'permanent_failure') THEN
        RAISE EXCEPTION 'invalid_outcome: %', p_outcome USING ERRCODE = '22023';
    END IF;
    SELECT * INTO v_step FROM tasker.workflow_steps WHERE workflow_step_uuid = p_step_uuid FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN 'rejected';
    END IF;
    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = v_step.task_uuid;
    PERFORM tasker.require_namespace(v_task.namespace, 'report step ' || p_step_uuid);

    IF v_step.current_state <> 'in_progress' OR v_step.claim_token IS DISTINCT FROM p_claim_token THEN
        SELECT * INTO v_attempt FROM tasker.workflow_step_attempts
         WHERE workflow_step_uuid = p_step_uuid AND claim_token = p_claim_token;
        IF NOT FOUND THEN
            RETURN 'rejected';
        END IF;
        -- Cancelled or settled by an operator: the work is no longer wanted, drop its message.
        IF v_step.current_state IN ('cancelled', 'resolved_manually') THEN
            PERFORM pgmq.delete(v_attempt.claimed_queue, v_attempt.claimed_msg_id);
            RETURN 'discarded';
        END IF;
        UPDATE tasker.workflow_step_attempts
           SET outcome = 'rejected_late', finished_at = coalesce(finished_at, clock_timestamp())
         WHERE workflow_step_uuid = p_step_uuid AND claim_token = p_claim_token
           AND (outcome IS NULL OR outcome = 'lease_expired');
        RETURN 'rejected';
    END IF;

    v_to := CASE WHEN p_outcome = 'success' THEN 'enqueued_for_orchestration'
                 ELSE 'enqueued_as_error_for_orchestration' END;
    UPDATE tasker.workflow_steps
       SET results = CASE WHEN p_outcome = 'success' THEN p_result ELSE results END,
           last_error = CASE WHEN p_outcome = 'success' THEN last_error
                             ELSE coalesce(p_error, '{}'::jsonb)
                                  || jsonb_build_object('retryable', p_outcome = 'retryable_failure',
                                                        'attempt', v_step.attempts) END,
           claimed_by = NULL,
           claim_token = NULL,
           lease_expires_at = NULL
     WHERE workflow_step_uuid = p_step_uuid;
    UPDATE tasker.workflow_step_attempts
       SET finished_at = clock_timestamp(), outcome = p_outcome,
           error = CASE WHEN p_outcome = 'success' THEN NULL ELSE p_error END
     WHERE workflow_step_uuid = p_step_uuid AND claim_token = p_claim_token;
    PERFORM tasker.transition_step(p_step_uuid, 'in_progress', v_to, p_outcome,
                                   jsonb_build_object('attempt', v_step.attempts, 'worker_id', v_step.claimed_by));
    PERFORM pgmq.send('orchestration_step_results', jsonb_build_object(
        'task_uuid', v_step.task_uuid, 'step_uuid', p_step_uuid, 'attempt', v_step.attempts,
        'outcome', CASE WHEN p_outcome = 'success' THEN 'success' ELSE 'failure' END,
        'namespace', v_task.namespace, 'step_name', v_step.name,
        'correlation_id', v_task.correlation_id), 0);
    PERFORM pgmq.delete(v_step.claimed_queue, v_step.claimed_msg_id);
    RETURN 'accepted';
END;
$fn$;

-- Archives a message that cannot be processed and records why. The step is the one the message
-- names (if any): when it belongs to the queue's namespace and is still waiting for or running an
-- attempt, it is failed permanently (enqueued_as_error_for_orchestration with a non-retryable
-- error, the orchestrator notified), so the task is finalised by the normal path. Messages of
-- orchestration_step_results are archived only by the orchestrator and never fail a step; other
-- queues only by callers allowed in their namespace. Returns true when a step was failed.
CREATE FUNCTION tasker.archive_poison_message(p_queue text, p_msg_id bigint, p_reason text)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    v_namespace text := tasker.queue_namespace(p_queue);
    v_message jsonb;
    v_step_uuid uuid;
    v_step tasker.workflow_steps;
    v_task tasker.tasks;
    v_from text;
BEGIN
    IF p_queue = 'orchestration_step_results' THEN
        IF NOT (pg_catalog.pg_has_role(session_user, 'tasker_orchestrator', 'MEMBER')
                OR pg_catalog.pg_has_role(session_user,
                       (SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = 'tasker'), 'MEMBER')) THEN
            RAISE EXCEPTION 'namespace_not_permitted: % may not archive messages of orchestration_step_results',
                session_user USING ERRCODE = '42501';
        END IF;
    ELSIF v_namespace IS NOT NULL THEN
        PERFORM tasker.require_namespace(v_namespace, 'archive messages of ' || p_queue);
    ELSIF NOT tasker.caller_has_all_namespaces() THEN
        RAISE EXCEPTION 'namespace_not_permitted: % may not archive messages of %', session_user, p_queue
            USING ERRCODE = '42501';
    END IF;
    v_message := tasker.queue_message(p_queue, p_msg_id);
    IF v_message IS NULL THEN
        RETURN false;
    END IF;
    IF v_namespace IS NOT NULL THEN
        v_step_uuid := tasker.message_step(v_message);
    END IF;
    -- Lock order: the step before the queue row.
    IF v_step_uuid IS NOT NULL THEN
        SELECT s.* INTO v_step
          FROM tasker.workflow_steps s
         WHERE s.workflow_step_uuid = v_step_uuid
           AND EXISTS (SELECT 1 FROM tasker.tasks t WHERE t.task_uuid = s.task_uuid AND t.namespace = v_namespace)
           FOR NO KEY UPDATE OF s;
        IF NOT FOUND THEN
            v_step_uuid := NULL;
        END IF;
    END IF;
    IF NOT pgmq.archive(p_queue, p_msg_id) THEN
        RETURN false;
    END IF;
    INSERT INTO tasker.archived_message_reasons (queue_name, msg_id, reason, workflow_step_uuid, message)
    VALUES (p_queue, p_msg_id, p_reason, v_step_uuid, v_message)
    ON CONFLICT (queue_name, msg_id) DO NOTHING;
    IF v_step_uuid IS NULL OR v_step.current_state NOT IN ('enqueued', 'in_progress') THEN
        RETURN false;
    END IF;
    v_from := v_step.current_state;
    IF v_from = 'enqueued' THEN
        -- enqueued -> in_progress -> error-for-orchestration keeps to the state machine.
        PERFORM tasker.transition_step(v_step_uuid, 'enqueued', 'in_progress', 'poison_message');
    ELSE
        -- The running attempt ends with the step.
        UPDATE tasker.workflow_step_attempts
           SET finished_at = clock_timestamp(), outcome = 'permanent_failure',
               error = jsonb_build_object('type', 'poison_message', 'message', p_reason)
         WHERE workflow_step_uuid = v_step_uuid AND generation = v_step.attempt_generation
           AND attempt = v_step.attempts AND outcome IS NULL;
    END IF;
    UPDATE tasker.workflow_steps
       SET last_error = jsonb_build_object('type', 'poison_message', 'message', p_reason, 'retryable', false,
                                           'queue', p_queue, 'msg_id', p_msg_id),
           claimed_by = NULL, claim_token = NULL, lease_expires_at = NULL
     WHERE workflow_step_uuid = v_step_uuid;
    PERFORM tasker.transition_step(v_step_uuid, 'in_progress', 'enqueued_as_error_for_orchestration', 'poison_message',
                                   jsonb_build_object('queue', p_queue, 'msg_id', p_msg_id, 'reason', p_reason));
    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = v_step.task_uuid;
    PERFORM pgmq.send('orchestration_step_results', jsonb_build_object(
        'task_uuid', v_step.task_uuid, 'step_uuid', v_step_uuid, 'attempt', v_step.attempts,
        'outcome', 'failure', 'namespace', v_task.namespace, 'step_name', v_step.name,
        'correlation_id', v_task.correlation_id), 0);
    RETURN true;
END;
$fn$;

-- Grants the pgmq privileges a worker needs on one queue's tables to p_role.
CREATE FUNCTION tasker.grant_queue_tables(p_queue text, p_role name)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    v_seq text;
BEGIN
    EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE ON pgmq.%I, pgmq.%I TO %I',
                              'q_' || p_queue, 'a_' || p_queue, p_role);
    v_seq := pg_catalog.pg_get_serial_sequence(pg_catalog.format('pgmq.%I', 'q_' || p_queue), 'msg_id');
    IF v_seq IS NOT NULL THEN
        EXECUTE pg_catalog.format('GRANT SELECT, USAGE ON SEQUENCE %s TO %I', v_seq, p_role);
    END IF;
END;
$fn$;

-- Limits a worker role to exactly p_namespaces: creates the NOLOGIN role when missing, records
-- the scope, grants USAGE on schemas tasker and pgmq, EXECUTE on the worker functions and pgmq's
-- functions, and DML on the queue tables of those namespaces (queues created later are granted by
-- tasker.ensure_queue); privileges on queues of namespaces no longer listed are revoked. A scoped
-- role must not be a member of tasker_worker or tasker_orchestrator (both reach every namespace).
-- Run it as the migration owner (it needs CREATEROLE for a new role). Returns the namespaces.
CREATE FUNCTION tasker.grant_worker_namespaces(p_role name, p_namespaces text[])
RETURNS text[]
LANGUAGE plpgsql AS $fn$
DECLARE
    v_ns text;
    v_queue text;
BEGIN
    IF p_role IS NULL OR p_role IN ('tasker_worker', 'tasker_orchestrator') OR p_role::text !~ '^[a-z][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'invalid_worker_role: %', pg_catalog.quote_nullable(p_role) USING ERRCODE = '22023',
            HINT = 'Role names are lower-case letters, digits and underscores, other than the tasker_* groups.';
    END IF;
    IF p_namespaces IS NULL OR cardinality(p_namespaces) = 0 THEN
        RAISE EXCEPTION 'no_namespaces: give at least one namespace for %', p_role USING ERRCODE = '22023';
    END IF;
    FOREACH v_ns IN ARRAY p_namespaces LOOP
        IF v_ns IS NULL OR v_ns !~ '^[a-z][a-z0-9_]{0,28}$' THEN
            RAISE EXCEPTION 'invalid_namespace: %', pg_catalog.quote_nullable(v_ns) USING ERRCODE = '22023';
        END IF;
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = p_role) THEN
        EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', p_role);
    ELSIF pg_catalog.pg_has_role(p_role, 'tasker_worker', 'MEMBER')
          OR pg_catalog.pg_has_role(p_role, 'tasker_orchestrator', 'MEMBER') THEN
        RAISE EXCEPTION 'scoped_role_has_all_namespaces: % is a member of tasker_worker or tasker_orchestrator', p_role
            USING ERRCODE = '22023', HINT = 'Revoke that membership first, or use another role.';
    END IF;

    -- Namespaces dropped from the scope: revoke their queues first.
    FOR v_ns IN
        SELECT namespace FROM tasker.worker_namespace_scopes
         WHERE role_name = p_role AND namespace <> ALL (p_namespaces)
    LOOP
        v_queue := 'worker_' || v_ns || '_queue';
        IF pg_catalog.to_regclass(pg_catalog.format('pgmq.%I', 'q_' || v_queue)) IS NOT NULL THEN
            EXECUTE pg_catalog.format('REVOKE ALL ON pgmq.%I, pgmq.%I FROM %I', 'q_' || v_queue, 'a_' || v_queue, p_role);
        END IF;
    END LOOP;
    DELETE FROM tasker.worker_namespace_scopes WHERE role_name = p_role AND namespace <> ALL (p_namespaces);
    INSERT INTO tasker.worker_namespace_scopes (role_name, namespace)
    SELECT p_role, ns FROM unnest(p_namespaces) AS ns
    ON CONFLICT DO NOTHING;

    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA tasker, pgmq TO %I', p_role);
    EXECUTE pg_catalog.format(
        'GRANT EXECUTE ON FUNCTION tasker.claim_step(uuid, text, integer, text, bigint),'
        || ' tasker.heartbeat_step(uuid, uuid, integer),'
        || ' tasker.report_step_result(uuid, uuid, text, jsonb, jsonb),'
        || ' tasker.archive_poison_message(text, bigint, text),'
        || ' tasker.ensure_queue(text) TO %I', p_role);
    EXECUTE pg_catalog.format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pgmq TO %I', p_role);
    EXECUTE pg_catalog.format('GRANT SELECT ON pgmq.meta TO %I', p_role);
    FOREACH v_ns IN ARRAY p_namespaces LOOP
        v_queue := 'worker_' || v_ns || '_queue';
        IF pg_catalog.to_regclass(pg_catalog.format('pgmq.%I', 'q_' || v_queue)) IS NOT NULL THEN
            PERFORM tasker.grant_queue_tables(v_queue, p_role);
        END IF;
    END LOOP;
    RETURN ARRAY(SELECT namespace FROM tasker.worker_namespace_scopes WHERE role_name = p_role ORDER BY namespace);
END;
$fn$;

-- Creates a queue (idempotently) and attaches the notify trigger; a worker queue's tables are
-- granted to the roles scoped to its namespace. A scoped worker may create only the queues of its
-- namespaces (42501 otherwise). The advisory lock serialises concurrent callers for one queue,
-- because CREATE TABLE IF NOT EXISTS is not safe under races.
CREATE OR REPLACE FUNCTION tasker.ensure_queue(queue_name text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    qtable text;
    v_namespace text;
    v_role name;
BEGIN
    IF queue_name IS NULL OR queue_name !~ '^[a-z][a-z0-9_]{0,46}$' THEN
        RAISE EXCEPTION 'invalid queue name %', quote_nullable(queue_name)
            USING ERRCODE = '22023',
                  HINT = 'Queue names match ^[a-z][a-z0-9_]{0,46}$.';
    END IF;
    v_namespace := tasker.queue_namespace(queue_name);
    IF v_namespace IS NOT NULL THEN
        PERFORM tasker.require_namespace(v_namespace, 'create queue ' || queue_name);
    ELSIF NOT tasker.caller_has_all_namespaces() THEN
        RAISE EXCEPTION 'namespace_not_permitted: % may not create queue %', session_user, queue_name
            USING ERRCODE = '42501';
    END IF;
    qtable := 'q_' || queue_name;

    PERFORM pg_advisory_xact_lock(hashtext('tasker.ensure_queue:' || queue_name));
    PERFORM pgmq."create"(queue_name);

    IF NOT EXISTS (
        SELECT 1
          FROM pg_trigger t
          JOIN pg_class c ON c.oid = t.tgrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'pgmq'
           AND c.relname = qtable
           AND t.tgname = 'tasker_notify') THEN
        EXECUTE format(
            'CREATE TRIGGER tasker_notify AFTER INSERT ON pgmq.%I'
            || ' FOR EACH STATEMENT EXECUTE FUNCTION tasker.notify_queue_insert()',
            qtable);
    END IF;
    IF v_namespace IS NOT NULL THEN
        FOR v_role IN
            SELECT s.role_name FROM tasker.worker_namespace_scopes s
              JOIN pg_roles r ON r.rolname = s.role_name
             WHERE s.namespace = v_namespace
        LOOP
            PERFORM tasker.grant_queue_tables(queue_name, v_role);
        END LOOP;
    END IF;
END
$fn$;

-- The worker functions run as their owner with a pinned search_path (see V202611271200__roles.sql).
ALTER FUNCTION tasker.claim_step(uuid, text, integer, text, bigint)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION tasker.heartbeat_step(uuid, uuid, integer)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION tasker.report_step_result(uuid, uuid, text, jsonb, jsonb)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION tasker.archive_poison_message(text, bigint, text)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION tasker.ensure_queue(text)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

REVOKE EXECUTE ON FUNCTION
    tasker.claim_step(uuid, text, integer, text, bigint),
    tasker.heartbeat_step(uuid, uuid, integer),
    tasker.report_step_result(uuid, uuid, text, jsonb, jsonb),
    tasker.archive_poison_message(text, bigint, text),
    tasker.caller_has_all_namespaces(),
    tasker.caller_may_use_namespace(text),
    tasker.queue_namespace(text),
    tasker.require_namespace(text, text),
    tasker.queue_message(text, bigint),
    tasker.message_step(jsonb),
    tasker.grant_queue_tables(text, name),
    tasker.grant_worker_namespaces(name, text[])
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    tasker.claim_step(uuid, text, integer, text, bigint),
    tasker.heartbeat_step(uuid, uuid, integer),
    tasker.report_step_result(uuid, uuid, text, jsonb, jsonb),
    tasker.archive_poison_message(text, bigint, text)
    TO tasker_worker;

-- Message format version 1: every queue message carries "format_version": 1.
--
-- Step messages (tasker.step_message) and result notices (tasker.result_notice, sent by claim_step,
-- report_step_result and archive_poison_message) gain the field; nothing else changes, so readers
-- of the previous release, which ignore unknown fields, read them as before. Readers of this
-- release read a message without the field as format 0 (the previous release) and process it the
-- same; a message of a newer format is left in its queue for a newer peer. The JSON Schemas of the
-- messages are in shared-messages (io/tasker/messages/protocol/*.schema.json).
--
-- Every signature stays as it was, so no overload is needed. The three worker functions are
-- redefined whole (CREATE OR REPLACE resets SECURITY DEFINER and search_path: repeated below).

-- The reference-only message a worker receives for a step.
CREATE OR REPLACE FUNCTION tasker.step_message(p_task tasker.tasks, p_step tasker.workflow_steps)
RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
    SELECT jsonb_build_object(
        'format_version', 1,
        'task_uuid', p_task.task_uuid,
        'step_uuid', p_step.workflow_step_uuid,
        'correlation_id', p_task.correlation_id,
        'namespace', p_task.namespace,
        'step_name', p_step.name,
        'attempt', p_step.attempts + 1,
        'enqueued_at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
$fn$;

-- The notice sent to orchestration_step_results when an attempt of p_step has ended; p_outcome is
-- 'success' or 'failure' (the step's row holds the result or the error).
CREATE FUNCTION tasker.result_notice(p_task tasker.tasks, p_step tasker.workflow_steps, p_outcome text)
RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
    SELECT jsonb_build_object(
        'format_version', 1,
        'task_uuid', p_step.task_uuid,
        'step_uuid', p_step.workflow_step_uuid,
        'attempt', p_step.attempts,
        'outcome', p_outcome,
        'namespace', p_task.namespace,
        'step_name', p_step.name,
        'correlation_id', p_task.correlation_id)
$fn$;

-- (Unchanged but for the notice, now built by tasker.result_notice.)
CREATE OR REPLACE FUNCTION tasker.claim_step(
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
            PERFORM pgmq.send('orchestration_step_results',
                              tasker.result_notice(v_task, v_step, 'failure'), 0);
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

-- (Unchanged but for the notice.)
CREATE OR REPLACE FUNCTION tasker.report_step_result(
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
    PERFORM pgmq.send('orchestration_step_results',
                      tasker.result_notice(v_task, v_step, CASE WHEN p_outcome = 'success' THEN 'success' ELSE 'failure' END), 0);
    PERFORM pgmq.delete(v_step.claimed_queue, v_step.claimed_msg_id);
    RETURN 'accepted';
END;
$fn$;

-- (Unchanged but for the notice.)
CREATE OR REPLACE FUNCTION tasker.archive_poison_message(p_queue text, p_msg_id bigint, p_reason text)
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
    PERFORM pgmq.send('orchestration_step_results',
                      tasker.result_notice(v_task, v_step, 'failure'), 0);
    RETURN true;
END;
$fn$;
-- The worker functions run as their owner with a pinned search_path (see V202611271200__roles.sql).
ALTER FUNCTION tasker.claim_step(uuid, text, integer, text, bigint)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION tasker.report_step_result(uuid, uuid, text, jsonb, jsonb)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION tasker.archive_poison_message(text, bigint, text)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

REVOKE EXECUTE ON FUNCTION tasker.result_notice(tasker.tasks, tasker.workflow_steps, text) FROM PUBLIC;

-- Step namespaces: a step may run in another namespace's queue than its task's.
--
-- A template step may name a `namespace` (default: the template's). The step row stores it, filled
-- at task creation; NULL (steps created before this migration) means the task's namespace. A step
-- is sent to, claimed from and reported through worker_<step namespace>_queue, and a worker role
-- scoped to namespace N (tasker.grant_worker_namespaces) works the steps whose step namespace is N,
-- whatever their task's namespace. One template can so split its steps between worker pools, for
-- example a JVM worker and a worker in another language (decision 017).
--
-- Every signature stays as it was. The functions that enqueue a step (enqueue_ready_steps,
-- create_task, process_step_result's retry) and the worker functions' namespace checks (claim_step,
-- heartbeat_step, report_step_result, archive_poison_message) are redefined whole; CREATE OR
-- REPLACE resets SECURITY DEFINER and search_path, repeated at the end. Lease expiry is handled in
-- claim_step through the queue it is given, and report/heartbeat use the queue recorded at claim
-- time, so they follow the step's queue without further change.

ALTER TABLE tasker.workflow_steps ADD COLUMN namespace text;
-- NOT VALID: the existing rows are all NULL; new and updated rows are checked.
ALTER TABLE tasker.workflow_steps
    ADD CONSTRAINT workflow_steps_namespace_check CHECK (namespace ~ '^[a-z][a-z0-9_]{0,28}$') NOT VALID;

-- The namespace whose queue and workers serve a step: its own, else its task's.
CREATE FUNCTION tasker.step_namespace(p_task tasker.tasks, p_step tasker.workflow_steps)
RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT coalesce(p_step.namespace, p_task.namespace)
$fn$;

-- The queue a step's messages go to: worker_<step namespace>_queue.
CREATE FUNCTION tasker.step_queue(p_task tasker.tasks, p_step tasker.workflow_steps)
RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT 'worker_' || tasker.step_namespace(p_task, p_step) || '_queue'
$fn$;

-- The reference-only message a worker receives for a step; "namespace" is the step's namespace,
-- the one of the queue the message is in (the same as the task's unless the step names another).
CREATE OR REPLACE FUNCTION tasker.step_message(p_task tasker.tasks, p_step tasker.workflow_steps)
RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
    SELECT jsonb_build_object(
        'format_version', 1,
        'task_uuid', p_task.task_uuid,
        'step_uuid', p_step.workflow_step_uuid,
        'correlation_id', p_task.correlation_id,
        'namespace', tasker.step_namespace(p_task, p_step),
        'step_name', p_step.name,
        'attempt', p_step.attempts + 1,
        'enqueued_at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
$fn$;

-- (Unchanged but for the queue: the step's.)
CREATE OR REPLACE FUNCTION tasker.enqueue_ready_steps(p_task_uuid uuid)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    v_task tasker.tasks;
    v_step tasker.workflow_steps;
    v_ready uuid;
    v_count integer := 0;
BEGIN
    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = p_task_uuid;
    -- Rows are fetched by primary key one at a time: joining the function's result to the table
    -- lets the planner (which expects 1000 rows from a set-returning function) scan the table.
    FOR v_ready IN
        SELECT r.workflow_step_uuid
          FROM tasker.step_readiness(p_task_uuid) r
         WHERE r.ready AND r.current_state = 'pending'
         ORDER BY r.workflow_step_uuid
    LOOP
        SELECT * INTO v_step FROM tasker.workflow_steps WHERE workflow_step_uuid = v_ready;
        IF tasker.transition_step(v_step.workflow_step_uuid, 'pending', 'enqueued', 'dependencies_satisfied') THEN
            PERFORM pgmq.send(tasker.step_queue(v_task, v_step), tasker.step_message(v_task, v_step), 0);
            v_count := v_count + 1;
        END IF;
    END LOOP;
    RETURN v_count;
END;
$fn$;

-- (Unchanged but for the step's namespace, from the template step, else the template's.)
CREATE OR REPLACE FUNCTION tasker.create_task(
    p_named_task_uuid uuid,
    p_context jsonb,
    p_identity_hash text,
    p_priority integer,
    p_correlation_id uuid,
    p_initiator text,
    p_source_system text,
    p_reason text,
    p_tags jsonb)
RETURNS uuid
LANGUAGE plpgsql AS $fn$
DECLARE
    v_template tasker.named_tasks;
    v_task_uuid uuid;
BEGIN
    SELECT * INTO v_template FROM tasker.named_tasks WHERE named_task_uuid = p_named_task_uuid;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'template_not_found: %', p_named_task_uuid USING ERRCODE = 'TK004';
    END IF;

    INSERT INTO tasker.tasks (named_task_uuid, namespace, name, version, context, identity_hash, priority,
                              correlation_id, initiator, source_system, reason, tags)
    VALUES (v_template.named_task_uuid, v_template.namespace, v_template.name, v_template.version,
            coalesce(p_context, '{}'::jsonb), p_identity_hash, coalesce(p_priority, 0),
            coalesce(p_correlation_id, tasker.uuid_v7()), p_initiator, p_source_system, p_reason,
            coalesce(p_tags, '[]'::jsonb))
    RETURNING task_uuid INTO v_task_uuid;
    INSERT INTO tasker.task_transitions (task_uuid, from_state, to_state, reason, most_recent, sort_key)
    VALUES (v_task_uuid, NULL, 'pending', 'created', true, 0);

    INSERT INTO tasker.workflow_steps (task_uuid, name, position, handler, namespace, retryable, max_attempts,
                                       retry_policy, timeout_seconds, config, inputs)
    SELECT v_task_uuid,
           st->>'name',
           pos::integer,
           st->>'handler',
           coalesce(st->>'namespace', v_template.namespace),
           coalesce((st->'retry'->>'retryable')::boolean, true),
           coalesce((st->'retry'->>'max_attempts')::integer, 3),
           coalesce(st->'retry', '{}'::jsonb),
           coalesce((st->>'timeout_seconds')::integer, 30),
           coalesce(st->'config', '{}'::jsonb),
           coalesce(st->'inputs', '{}'::jsonb)
      FROM jsonb_array_elements(v_template.configuration->'steps') WITH ORDINALITY AS t(st, pos);

    INSERT INTO tasker.workflow_step_transitions (workflow_step_uuid, task_uuid, from_state, to_state, reason, most_recent, sort_key)
    SELECT workflow_step_uuid, v_task_uuid, NULL, 'pending', 'created', true, 0
      FROM tasker.workflow_steps WHERE task_uuid = v_task_uuid;

    INSERT INTO tasker.workflow_step_edges (task_uuid, from_step_uuid, to_step_uuid)
    SELECT v_task_uuid, parent.workflow_step_uuid, child.workflow_step_uuid
      FROM jsonb_array_elements(v_template.configuration->'steps') AS st
      CROSS JOIN LATERAL jsonb_array_elements_text(coalesce(st->'depends_on', '[]'::jsonb)) AS dep(name)
      JOIN tasker.workflow_steps child ON child.task_uuid = v_task_uuid AND child.name = st->>'name'
      JOIN tasker.workflow_steps parent ON parent.task_uuid = v_task_uuid AND parent.name = dep.name;

    PERFORM tasker.transition_task(v_task_uuid, 'pending', 'initializing', 'task_created');
    PERFORM tasker.transition_task(v_task_uuid, 'initializing', 'enqueuing_steps', 'steps_initialized');
    PERFORM tasker.enqueue_ready_steps(v_task_uuid);
    PERFORM tasker.transition_task(v_task_uuid, 'enqueuing_steps', 'steps_in_process', 'root_steps_enqueued');
    RETURN v_task_uuid;
END;
$fn$;

-- (Unchanged but for the queue of a retry: the step's.)
CREATE OR REPLACE FUNCTION tasker.process_step_result(p_step_uuid uuid, p_notice_msg_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
    v_task_uuid uuid;
    v_task tasker.tasks;
    v_step tasker.workflow_steps;
    v_action text := 'duplicate';
    v_delay_ms bigint;
    v_task_state text;
BEGIN
    SELECT task_uuid INTO v_task_uuid FROM tasker.workflow_steps WHERE workflow_step_uuid = p_step_uuid;
    IF NOT FOUND THEN
        IF p_notice_msg_id IS NOT NULL THEN
            PERFORM pgmq.delete('orchestration_step_results', p_notice_msg_id);
        END IF;
        RETURN jsonb_build_object('action', 'unknown_step');
    END IF;
    -- Serialises result processing per task (see enqueue_ready_steps).
    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = v_task_uuid FOR NO KEY UPDATE;
    SELECT * INTO v_step FROM tasker.workflow_steps WHERE workflow_step_uuid = p_step_uuid FOR NO KEY UPDATE;

    IF v_task.current_state IN ('cancelled', 'resolved_manually') THEN
        v_action := 'discarded';
    ELSIF v_step.current_state = 'enqueued_for_orchestration' THEN
        PERFORM tasker.transition_step(p_step_uuid, 'enqueued_for_orchestration', 'complete', 'result_processed',
                                       jsonb_build_object('attempt', v_step.attempts));
        v_action := 'completed';
    ELSIF v_step.current_state = 'enqueued_as_error_for_orchestration' THEN
        IF v_step.retryable AND v_step.attempts < v_step.max_attempts
           AND coalesce((v_step.last_error->>'retryable')::boolean, true) THEN
            v_delay_ms := tasker.retry_delay_ms(v_step.retry_policy, v_step.attempts,
                                                (v_step.last_error->>'retry_after_ms')::bigint);
            UPDATE tasker.workflow_steps
               SET next_retry_at = clock_timestamp() + make_interval(secs => v_delay_ms / 1000.0)
             WHERE workflow_step_uuid = p_step_uuid
             RETURNING * INTO v_step;
            PERFORM tasker.transition_step(p_step_uuid, 'enqueued_as_error_for_orchestration', 'waiting_for_retry',
                                           'retryable_failure',
                                           jsonb_build_object('attempt', v_step.attempts, 'delay_ms', v_delay_ms));
            PERFORM tasker.transition_step(p_step_uuid, 'waiting_for_retry', 'enqueued', 'retry_scheduled',
                                           jsonb_build_object('attempt', v_step.attempts + 1, 'delay_ms', v_delay_ms));
            -- pgmq delays are whole seconds: round up so the backoff is never shortened.
            PERFORM pgmq.send(tasker.step_queue(v_task, v_step), tasker.step_message(v_task, v_step),
                              ceil(v_delay_ms / 1000.0)::integer);
            v_action := 'retry_scheduled';
        ELSE
            PERFORM tasker.transition_step(p_step_uuid, 'enqueued_as_error_for_orchestration', 'error',
                                           CASE WHEN v_step.attempts >= v_step.max_attempts THEN 'retries_exhausted'
                                                ELSE 'permanent_failure' END,
                                           jsonb_build_object('attempt', v_step.attempts));
            v_action := 'failed';
        END IF;
    END IF;

    v_task_state := tasker.evaluate_task(v_task_uuid);
    IF p_notice_msg_id IS NOT NULL THEN
        PERFORM pgmq.delete('orchestration_step_results', p_notice_msg_id);
    END IF;
    SELECT current_state INTO v_step.current_state FROM tasker.workflow_steps WHERE workflow_step_uuid = p_step_uuid;
    -- previous_task_state and task_duration_ms let the caller count finalised tasks and their latency.
    RETURN jsonb_build_object('action', v_action, 'step_state', v_step.current_state, 'task_state', v_task_state,
                              'previous_task_state', v_task.current_state, 'task_uuid', v_task_uuid,
                              'namespace', v_task.namespace, 'task_name', v_task.name,
                              'task_duration_ms', CASE WHEN v_task_state IN ('complete', 'error')
                                  THEN floor(extract(epoch FROM (clock_timestamp() - v_task.created_at)) * 1000)::bigint
                                  END);
END;
$fn$;

-- (Unchanged but for the namespace check: the step's namespace must be the queue's.)
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
    IF tasker.step_namespace(v_task, v_step) <> v_namespace THEN
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

-- (Unchanged but for the namespace check: the caller may use the step's namespace.)
CREATE OR REPLACE FUNCTION tasker.heartbeat_step(p_step_uuid uuid, p_claim_token uuid, p_lease_seconds integer)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    v_step tasker.workflow_steps;
    v_task tasker.tasks;
BEGIN
    IF p_lease_seconds IS NULL OR p_lease_seconds < 1 OR p_lease_seconds > 86400 THEN
        RAISE EXCEPTION 'invalid_lease: % seconds (1..86400)', p_lease_seconds USING ERRCODE = '22023';
    END IF;
    SELECT s.* INTO v_step FROM tasker.workflow_steps s WHERE s.workflow_step_uuid = p_step_uuid FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = v_step.task_uuid;
    PERFORM tasker.require_namespace(tasker.step_namespace(v_task, v_step), 'heartbeat step ' || p_step_uuid);
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

-- (Unchanged but for the namespace check: the caller may use the step's namespace.)
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
    PERFORM tasker.require_namespace(tasker.step_namespace(v_task, v_step), 'report step ' || p_step_uuid);

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

-- (Unchanged but for the step found: one whose step namespace is the queue's.)
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
           AND EXISTS (SELECT 1 FROM tasker.tasks t WHERE t.task_uuid = s.task_uuid
                         AND coalesce(s.namespace, t.namespace) = v_namespace)
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
ALTER FUNCTION tasker.heartbeat_step(uuid, uuid, integer)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION tasker.report_step_result(uuid, uuid, text, jsonb, jsonb)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION tasker.archive_poison_message(text, bigint, text)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

REVOKE EXECUTE ON FUNCTION
    tasker.step_namespace(tasker.tasks, tasker.workflow_steps),
    tasker.step_queue(tasker.tasks, tasker.workflow_steps)
    FROM PUBLIC;

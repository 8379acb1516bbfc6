-- The workflow engine's statements: task creation, enqueueing, claim, report, result processing.
-- Each is one function so a service does one round trip per event, and each runs inside the
-- caller's transaction: a state change and the queue message it implies commit together.

-- The reference-only message a worker receives for a step.
CREATE OR REPLACE FUNCTION tasker.step_message(p_task tasker.tasks, p_step tasker.workflow_steps)
RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
    SELECT jsonb_build_object(
        'task_uuid', p_task.task_uuid,
        'step_uuid', p_step.workflow_step_uuid,
        'correlation_id', p_task.correlation_id,
        'namespace', p_task.namespace,
        'step_name', p_step.name,
        'attempt', p_step.attempts + 1,
        'enqueued_at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
$fn$;

-- Moves every ready pending step of a task to 'enqueued' and sends its message. Returns how many.
-- The caller holds the task row lock, so two results finishing the parents of one join step
-- cannot both miss (or both enqueue) it.
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
            PERFORM pgmq.send('worker_' || v_task.namespace || '_queue', tasker.step_message(v_task, v_step), 0);
            v_count := v_count + 1;
        END IF;
    END LOOP;
    RETURN v_count;
END;
$fn$;

-- Creates a task from a registered template, in the caller's transaction: the task, one step per
-- template step, the edges, the initial transitions, and the messages of the root steps.
-- A duplicate identity hash raises unique_violation (23505) on tasks_identity_hash_key.
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

    INSERT INTO tasker.workflow_steps (task_uuid, name, position, handler, retryable, max_attempts, retry_policy,
                                       timeout_seconds, config, inputs)
    SELECT v_task_uuid,
           st->>'name',
           pos::integer,
           st->>'handler',
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

-- The results of every ancestor of a step, by step name (only steps that produced a result).
-- Edges and steps are read through the task's indexes, so the cost follows the task's size.
CREATE OR REPLACE FUNCTION tasker.ancestor_results(p_task_uuid uuid, p_step_uuid uuid)
RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
    WITH RECURSIVE edges AS MATERIALIZED (
        SELECT from_step_uuid, to_step_uuid FROM tasker.workflow_step_edges WHERE task_uuid = p_task_uuid
    ),
    anc(step_uuid) AS (
        SELECT from_step_uuid FROM edges WHERE to_step_uuid = p_step_uuid
        UNION
        SELECT e.from_step_uuid FROM edges e JOIN anc ON e.to_step_uuid = anc.step_uuid
    )
    SELECT coalesce(jsonb_object_agg(s.name, s.results), '{}'::jsonb)
      FROM tasker.workflow_steps s
     WHERE s.task_uuid = p_task_uuid
       AND s.workflow_step_uuid IN (SELECT step_uuid FROM anc)
$fn$;

-- Claims a step for one attempt. Claimable: 'enqueued', or 'in_progress' whose lease expired
-- (the lost attempt is recorded and counts). Returns {"status": "claimed", ...everything the
-- handler needs}, {"status": "busy"} while another attempt holds a live lease (leave the message),
-- or {"status": "not_claimable"} (the caller deletes the message). When p_queue/p_msg_id are
-- given, the message vt is set to the lease so the message stays hidden exactly as long.
CREATE OR REPLACE FUNCTION tasker.claim_step(
    p_step_uuid uuid, p_worker_id text, p_lease_grace_seconds integer,
    p_queue text DEFAULT NULL, p_msg_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
    v_step tasker.workflow_steps;
    v_task tasker.tasks;
    v_lease integer;
    v_from text;
BEGIN
    SELECT * INTO v_step FROM tasker.workflow_steps WHERE workflow_step_uuid = p_step_uuid FOR UPDATE;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('status', 'not_claimable', 'reason', 'unknown_step');
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
                   claimed_by = NULL, lease_expires_at = NULL
             WHERE workflow_step_uuid = p_step_uuid;
            PERFORM tasker.transition_step(p_step_uuid, 'in_progress', 'enqueued_as_error_for_orchestration',
                                           'lease_expired', jsonb_build_object('attempt', v_step.attempts));
            SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = v_step.task_uuid;
            PERFORM pgmq.send('orchestration_step_results', jsonb_build_object(
                'task_uuid', v_step.task_uuid, 'step_uuid', p_step_uuid, 'attempt', v_step.attempts,
                'outcome', 'failure', 'namespace', v_task.namespace, 'step_name', v_step.name,
                'correlation_id', v_task.correlation_id), 0);
            RETURN jsonb_build_object('status', 'not_claimable', 'reason', 'attempts_exhausted');
        END IF;
    ELSIF v_from = 'in_progress' THEN
        -- The message surfaced just before the lease ran out: hide it until the lease ends, so the
        -- next reader finds an expired lease instead of waiting a whole read visibility timeout.
        IF p_queue IS NOT NULL AND p_msg_id IS NOT NULL THEN
            PERFORM pgmq.set_vt(p_queue, p_msg_id,
                                greatest(1, ceil(extract(epoch FROM (v_step.lease_expires_at - clock_timestamp())))::integer + 1));
        END IF;
        RETURN jsonb_build_object('status', 'busy', 'lease_expires_at', v_step.lease_expires_at);
    ELSIF v_from <> 'enqueued' THEN
        RETURN jsonb_build_object('status', 'not_claimable', 'reason', v_from);
    END IF;

    v_lease := v_step.timeout_seconds + greatest(p_lease_grace_seconds, 1);
    UPDATE tasker.workflow_steps
       SET attempts = attempts + 1,
           claimed_by = p_worker_id,
           lease_expires_at = clock_timestamp() + make_interval(secs => v_lease),
           next_retry_at = NULL
     WHERE workflow_step_uuid = p_step_uuid
     RETURNING * INTO v_step;
    PERFORM tasker.transition_step(p_step_uuid, v_from, 'in_progress',
                                   CASE WHEN v_from = 'in_progress' THEN 'reclaimed_after_lease_expiry' ELSE 'claimed' END,
                                   jsonb_build_object('attempt', v_step.attempts, 'worker_id', p_worker_id));
    INSERT INTO tasker.workflow_step_attempts (workflow_step_uuid, generation, attempt, worker_id)
    VALUES (p_step_uuid, v_step.attempt_generation, v_step.attempts, p_worker_id)
    ON CONFLICT (workflow_step_uuid, generation, attempt) DO NOTHING;
    IF p_queue IS NOT NULL AND p_msg_id IS NOT NULL THEN
        PERFORM pgmq.set_vt(p_queue, p_msg_id, v_lease);
    END IF;

    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = v_step.task_uuid;
    RETURN jsonb_build_object(
        'status', 'claimed',
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

-- Extends the lease of an attempt that still holds its claim (and the message vt with it).
CREATE OR REPLACE FUNCTION tasker.heartbeat_step(
    p_step_uuid uuid, p_attempt integer, p_worker_id text, p_lease_seconds integer,
    p_queue text DEFAULT NULL, p_msg_id bigint DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE tasker.workflow_steps
       SET lease_expires_at = clock_timestamp() + make_interval(secs => p_lease_seconds)
     WHERE workflow_step_uuid = p_step_uuid AND current_state = 'in_progress'
       AND attempts = p_attempt AND claimed_by = p_worker_id;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF p_queue IS NOT NULL AND p_msg_id IS NOT NULL THEN
        PERFORM pgmq.set_vt(p_queue, p_msg_id, p_lease_seconds);
    END IF;
    RETURN true;
END;
$fn$;

-- Stores the outcome of an attempt, fenced: only the attempt that still holds the claim may
-- report. On acceptance the step moves to the orchestration state, a notice goes to
-- orchestration_step_results and the step message is deleted, all in the caller's transaction.
-- Returns 'accepted', 'discarded' (the step was cancelled or resolved by an operator; the message is
-- dropped) or 'rejected' (a late result from an attempt that lost its claim, even when the winning
-- attempt already completed the step; the message is left to its holder).
CREATE OR REPLACE FUNCTION tasker.report_step_result(
    p_step_uuid uuid, p_attempt integer, p_worker_id text, p_outcome text,
    p_result jsonb, p_error jsonb, p_queue text, p_msg_id bigint)
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    v_step tasker.workflow_steps;
    v_task tasker.tasks;
    v_to text;
BEGIN
    IF p_outcome NOT IN ('success', 'retryable_failure', 'permanent_failure') THEN
        RAISE EXCEPTION 'invalid_outcome: %', p_outcome USING ERRCODE = '22023';
    END IF;
    SELECT * INTO v_step FROM tasker.workflow_steps WHERE workflow_step_uuid = p_step_uuid FOR UPDATE;
    -- Cancelled or settled by an operator: the work is no longer wanted, drop it quietly.
    IF NOT FOUND OR v_step.current_state IN ('cancelled', 'resolved_manually') THEN
        IF p_queue IS NOT NULL AND p_msg_id IS NOT NULL THEN
            PERFORM pgmq.delete(p_queue, p_msg_id);
        END IF;
        RETURN 'discarded';
    END IF;
    IF v_step.current_state <> 'in_progress' OR v_step.attempts <> p_attempt
       OR v_step.claimed_by IS DISTINCT FROM p_worker_id THEN
        UPDATE tasker.workflow_step_attempts
           SET outcome = 'rejected_late', finished_at = coalesce(finished_at, clock_timestamp())
         WHERE workflow_step_uuid = p_step_uuid AND generation = v_step.attempt_generation
           AND attempt = p_attempt AND worker_id = p_worker_id
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
                                                        'attempt', p_attempt) END,
           claimed_by = NULL,
           lease_expires_at = NULL
     WHERE workflow_step_uuid = p_step_uuid;
    UPDATE tasker.workflow_step_attempts
       SET finished_at = clock_timestamp(), outcome = p_outcome,
           error = CASE WHEN p_outcome = 'success' THEN NULL ELSE p_error END
     WHERE workflow_step_uuid = p_step_uuid AND generation = v_step.attempt_generation AND attempt = p_attempt;
    PERFORM tasker.transition_step(p_step_uuid, 'in_progress', v_to, p_outcome,
                                   jsonb_build_object('attempt', p_attempt, 'worker_id', p_worker_id));
    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = v_step.task_uuid;
    PERFORM pgmq.send('orchestration_step_results', jsonb_build_object(
        'task_uuid', v_step.task_uuid, 'step_uuid', p_step_uuid, 'attempt', p_attempt,
        'outcome', CASE WHEN p_outcome = 'success' THEN 'success' ELSE 'failure' END,
        'namespace', v_task.namespace, 'step_name', v_step.name,
        'correlation_id', v_task.correlation_id), 0);
    IF p_queue IS NOT NULL AND p_msg_id IS NOT NULL THEN
        PERFORM pgmq.delete(p_queue, p_msg_id);
    END IF;
    RETURN 'accepted';
END;
$fn$;

-- The delay before the next attempt, in milliseconds: the handler's requested delay when given
-- (capped), else the step's backoff policy (capped, then jittered). Attempt counts from 1.
CREATE OR REPLACE FUNCTION tasker.retry_delay_ms(p_policy jsonb, p_attempt integer, p_requested_ms bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    v_base bigint := coalesce((p_policy->>'backoff_base_ms')::bigint, 1000);
    v_max bigint := coalesce((p_policy->>'max_backoff_ms')::bigint, 30000);
    v_jitter numeric := coalesce((p_policy->>'jitter_percent')::numeric, 10);
    v_kind text := coalesce(p_policy->>'backoff', 'exponential');
    v_delay numeric;
BEGIN
    IF p_requested_ms IS NOT NULL AND p_requested_ms >= 0 THEN
        RETURN least(p_requested_ms, v_max);
    END IF;
    v_delay := CASE v_kind
                   WHEN 'linear' THEN v_base * greatest(p_attempt, 1)
                   WHEN 'fixed' THEN v_base
                   ELSE v_base * power(2::numeric, greatest(p_attempt, 1) - 1)
               END;
    v_delay := least(v_delay, v_max);
    v_delay := v_delay * (1 + ((random() * 2) - 1) * v_jitter / 100);
    RETURN greatest(round(v_delay), 0)::bigint;
END;
$fn$;

-- Re-evaluates a task after its steps changed: enqueues newly ready steps (one readiness pass),
-- after which no step is ready any more, so plain counts of the task's steps by state decide the
-- task's state; it moves through evaluating_results, recording only real changes.
-- The caller holds the task row lock. Returns the task's state afterwards.
CREATE OR REPLACE FUNCTION tasker.evaluate_task(p_task_uuid uuid)
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    v_state text;
    v_total integer;
    v_done integer;
    v_failed integer;
    v_active integer;
    v_waiting integer;
    v_target text;
    v_status text;
BEGIN
    SELECT current_state INTO v_state FROM tasker.tasks WHERE task_uuid = p_task_uuid;
    IF v_state IN ('complete', 'error', 'cancelled', 'resolved_manually', 'pending', 'initializing') THEN
        RETURN v_state;
    END IF;
    PERFORM tasker.enqueue_ready_steps(p_task_uuid);
    SELECT count(*)::integer,
           count(*) FILTER (WHERE current_state IN ('complete', 'resolved_manually'))::integer,
           count(*) FILTER (WHERE current_state = 'error')::integer,
           count(*) FILTER (WHERE current_state IN ('enqueued', 'in_progress', 'enqueued_for_orchestration',
                                                    'enqueued_as_error_for_orchestration'))::integer,
           count(*) FILTER (WHERE current_state = 'waiting_for_retry')::integer
      INTO v_total, v_done, v_failed, v_active, v_waiting
      FROM tasker.workflow_steps
     WHERE task_uuid = p_task_uuid;
    v_status := CASE
        WHEN v_total > 0 AND v_done = v_total THEN 'all_complete'
        WHEN v_failed > 0 THEN 'blocked_by_failures'
        WHEN v_active > 0 THEN 'processing'
        WHEN v_waiting > 0 THEN 'waiting_for_retry'
        ELSE 'waiting_for_dependencies'
    END;
    v_target := CASE
        WHEN v_status = 'all_complete' THEN 'complete'
        WHEN v_failed > 0 AND v_active + v_waiting = 0 THEN 'error'
        WHEN v_active > 0 THEN 'steps_in_process'
        WHEN v_waiting > 0 THEN 'waiting_for_retry'
        ELSE 'waiting_for_dependencies'
    END;
    IF v_target = v_state THEN
        RETURN v_state;
    END IF;
    IF v_state <> 'evaluating_results' THEN
        PERFORM tasker.transition_task(p_task_uuid, v_state, 'evaluating_results', 'step_results_changed');
    END IF;
    IF v_target = 'error' THEN
        PERFORM tasker.transition_task(p_task_uuid, 'evaluating_results', 'blocked_by_failures', 'step_failed',
                                       jsonb_build_object('failed_steps', v_failed));
        PERFORM tasker.transition_task(p_task_uuid, 'blocked_by_failures', 'error', 'no_runnable_steps_remain');
    ELSE
        PERFORM tasker.transition_task(p_task_uuid, 'evaluating_results', v_target, v_status);
    END IF;
    RETURN v_target;
END;
$fn$;

-- Processes one result notice in the caller's transaction: completes the step, or schedules its
-- retry (re-enqueued with a pgmq send delay), or fails it; then re-evaluates the task. Processing
-- the same notice twice changes nothing. When p_notice_msg_id is given the notice is deleted too.
-- Returns {"step_state": ..., "task_state": ..., "action": ...}.
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
    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = v_task_uuid FOR UPDATE;
    SELECT * INTO v_step FROM tasker.workflow_steps WHERE workflow_step_uuid = p_step_uuid FOR UPDATE;

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
            PERFORM pgmq.send('worker_' || v_task.namespace || '_queue', tasker.step_message(v_task, v_step),
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

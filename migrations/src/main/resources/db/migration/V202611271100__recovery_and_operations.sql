-- Recovery and operations: poison messages, operator actions on steps, the staleness sweep.

-- Why a message was archived instead of processed (pgmq's archive has no column for it).
CREATE TABLE tasker.archived_message_reasons (
    queue_name         text NOT NULL,
    msg_id             bigint NOT NULL,
    reason             text NOT NULL,
    workflow_step_uuid uuid,
    message            jsonb,
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (queue_name, msg_id)
);

-- Archives a message that cannot be processed, records why, and when it names a step that is still
-- waiting for or running an attempt, fails that step permanently: the step goes to
-- enqueued_as_error_for_orchestration with a non-retryable error and the orchestrator is notified,
-- so the task is finalised by the normal path. Returns true when a step was failed.
CREATE OR REPLACE FUNCTION tasker.archive_poison_message(
    p_queue text, p_msg_id bigint, p_reason text, p_step_uuid uuid DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    v_step tasker.workflow_steps;
    v_task tasker.tasks;
    v_message jsonb;
    v_from text;
BEGIN
    EXECUTE format('SELECT message FROM pgmq.%I WHERE msg_id = $1', 'q_' || p_queue) INTO v_message USING p_msg_id;
    PERFORM pgmq.archive(p_queue, p_msg_id);
    INSERT INTO tasker.archived_message_reasons (queue_name, msg_id, reason, workflow_step_uuid, message)
    VALUES (p_queue, p_msg_id, p_reason, p_step_uuid, v_message)
    ON CONFLICT (queue_name, msg_id) DO NOTHING;
    IF p_step_uuid IS NULL THEN
        RETURN false;
    END IF;
    SELECT * INTO v_step FROM tasker.workflow_steps WHERE workflow_step_uuid = p_step_uuid FOR UPDATE;
    IF NOT FOUND OR v_step.current_state NOT IN ('enqueued', 'in_progress') THEN
        RETURN false;
    END IF;
    v_from := v_step.current_state;
    IF v_from = 'enqueued' THEN
        -- enqueued -> in_progress -> error-for-orchestration keeps to the state machine.
        PERFORM tasker.transition_step(p_step_uuid, 'enqueued', 'in_progress', 'poison_message');
    END IF;
    UPDATE tasker.workflow_steps
       SET last_error = jsonb_build_object('type', 'poison_message', 'message', p_reason, 'retryable', false,
                                           'queue', p_queue, 'msg_id', p_msg_id),
           claimed_by = NULL, lease_expires_at = NULL
     WHERE workflow_step_uuid = p_step_uuid;
    PERFORM tasker.transition_step(p_step_uuid, 'in_progress', 'enqueued_as_error_for_orchestration', 'poison_message',
                                   jsonb_build_object('queue', p_queue, 'msg_id', p_msg_id, 'reason', p_reason));
    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = v_step.task_uuid;
    PERFORM pgmq.send('orchestration_step_results', jsonb_build_object(
        'task_uuid', v_step.task_uuid, 'step_uuid', p_step_uuid, 'attempt', v_step.attempts,
        'outcome', 'failure', 'namespace', v_task.namespace, 'step_name', v_step.name,
        'correlation_id', v_task.correlation_id), 0);
    RETURN true;
END;
$fn$;

-- Operator action on one step, recorded with who and why. Actions:
--   reset_for_retry    error -> pending, attempts reset to 0; the task resumes
--   resolve_manually   any non-complete state -> resolved_manually; dependents may run
--   complete_manually  any non-complete state -> complete with p_result; dependents receive it
-- Returns the step's new state. Raises 'step_action_not_allowed' (TK010) when the step's state does
-- not allow the action, 'task_not_active' (TK011) when the task is cancelled or complete.
CREATE OR REPLACE FUNCTION tasker.operate_step(
    p_task_uuid uuid, p_step_uuid uuid, p_action text, p_result jsonb, p_actor text, p_reason text)
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    v_task tasker.tasks;
    v_step tasker.workflow_steps;
    v_meta jsonb := jsonb_build_object('actor', p_actor, 'reason', p_reason, 'action', p_action);
    v_to text;
BEGIN
    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = p_task_uuid FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'task_not_found: %', p_task_uuid USING ERRCODE = 'TK012';
    END IF;
    SELECT * INTO v_step FROM tasker.workflow_steps
     WHERE workflow_step_uuid = p_step_uuid AND task_uuid = p_task_uuid FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'step_not_found: %', p_step_uuid USING ERRCODE = 'TK013';
    END IF;
    IF v_task.current_state IN ('complete', 'cancelled', 'resolved_manually') THEN
        RAISE EXCEPTION 'task_not_active: task % is %', p_task_uuid, v_task.current_state USING ERRCODE = 'TK011';
    END IF;
    IF p_action = 'reset_for_retry' THEN
        IF v_step.current_state <> 'error' THEN
            RAISE EXCEPTION 'step_action_not_allowed: reset_for_retry needs a step in error, step is %',
                v_step.current_state USING ERRCODE = 'TK010';
        END IF;
        UPDATE tasker.workflow_steps
           SET attempts = 0, attempt_generation = attempt_generation + 1,
               next_retry_at = NULL, last_error = NULL, claimed_by = NULL, lease_expires_at = NULL
         WHERE workflow_step_uuid = p_step_uuid;
        PERFORM tasker.transition_step(p_step_uuid, 'error', 'pending', 'reset_for_retry', v_meta);
        v_to := 'pending';
    ELSIF p_action IN ('resolve_manually', 'complete_manually') THEN
        IF v_step.current_state IN ('complete', 'resolved_manually', 'cancelled') THEN
            RAISE EXCEPTION 'step_action_not_allowed: % on a step that is %', p_action, v_step.current_state
                USING ERRCODE = 'TK010';
        END IF;
        v_to := CASE WHEN p_action = 'complete_manually' THEN 'complete' ELSE 'resolved_manually' END;
        UPDATE tasker.workflow_steps
           SET results = CASE WHEN p_action = 'complete_manually' THEN coalesce(p_result, 'null'::jsonb) ELSE results END,
               claimed_by = NULL, lease_expires_at = NULL
         WHERE workflow_step_uuid = p_step_uuid;
        PERFORM tasker.transition_step(p_step_uuid, v_step.current_state, v_to, p_action, v_meta);
    ELSE
        RAISE EXCEPTION 'unknown_action: %', p_action USING ERRCODE = '22023';
    END IF;
    -- A task that had failed resumes: error -> evaluating_results, then the normal evaluation.
    IF v_task.current_state = 'error' THEN
        PERFORM tasker.transition_task(p_task_uuid, 'error', 'evaluating_results', 'operator_' || p_action, v_meta);
    END IF;
    PERFORM tasker.evaluate_task(p_task_uuid);
    RETURN v_to;
END;
$fn$;

-- Finds tasks stuck in a non-terminal state beyond their template's lifecycle.max_duration_minutes,
-- records a DLQ entry with a snapshot and moves them to error (open steps are cancelled so nothing
-- runs for them any more). SKIP LOCKED lets several orchestrators sweep at once without waiting on
-- each other or sweeping a task twice. Returns the number of tasks moved.
CREATE OR REPLACE FUNCTION tasker.sweep_stale_tasks(p_limit integer)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    v_task tasker.tasks;
    v_limit_minutes integer;
    v_count integer := 0;
    v_step record;
BEGIN
    FOR v_task IN
        SELECT t.*
          FROM tasker.tasks t
          JOIN tasker.named_tasks n ON n.named_task_uuid = t.named_task_uuid
         WHERE t.current_state NOT IN ('complete', 'error', 'cancelled', 'resolved_manually')
           AND t.created_at < now() - make_interval(
                 mins => coalesce((n.configuration->'lifecycle'->>'max_duration_minutes')::integer, 1440))
         ORDER BY t.created_at
         LIMIT p_limit
           FOR UPDATE OF t SKIP LOCKED
    LOOP
        SELECT coalesce((configuration->'lifecycle'->>'max_duration_minutes')::integer, 1440) INTO v_limit_minutes
          FROM tasker.named_tasks WHERE named_task_uuid = v_task.named_task_uuid;
        INSERT INTO tasker.tasks_dlq (task_uuid, original_state, reason, snapshot)
        VALUES (v_task.task_uuid, v_task.current_state, 'staleness_timeout',
                jsonb_build_object(
                    'task', to_jsonb(v_task),
                    'max_duration_minutes', v_limit_minutes,
                    'summary', (SELECT to_jsonb(s) FROM tasker.task_execution_summary(v_task.task_uuid) s),
                    'steps', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                  'workflow_step_uuid', ws.workflow_step_uuid, 'name', ws.name,
                                  'state', ws.current_state, 'attempts', ws.attempts,
                                  'last_error', ws.last_error) ORDER BY ws.name), '[]'::jsonb)
                                FROM tasker.workflow_steps ws WHERE ws.task_uuid = v_task.task_uuid)))
        ON CONFLICT DO NOTHING;
        FOR v_step IN
            SELECT workflow_step_uuid, current_state FROM tasker.workflow_steps
             WHERE task_uuid = v_task.task_uuid
               AND current_state IN ('pending', 'enqueued', 'in_progress', 'enqueued_for_orchestration',
                                     'enqueued_as_error_for_orchestration', 'waiting_for_retry')
        LOOP
            PERFORM tasker.transition_step(v_step.workflow_step_uuid, v_step.current_state, 'cancelled',
                                           'task_stale', jsonb_build_object('max_duration_minutes', v_limit_minutes));
        END LOOP;
        PERFORM tasker.transition_task(v_task.task_uuid, v_task.current_state, 'error', 'staleness_timeout',
                                       jsonb_build_object('max_duration_minutes', v_limit_minutes));
        v_count := v_count + 1;
    END LOOP;
    RETURN v_count;
END;
$fn$;

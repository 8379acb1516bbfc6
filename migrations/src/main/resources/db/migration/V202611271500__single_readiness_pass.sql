-- Task evaluation with one readiness pass instead of two: enqueue_ready_steps evaluates readiness
-- and enqueues every ready step, after which no step is ready any more, so plain counts of the
-- task's steps by state decide the task's state (the execution summary's readiness pass, which
-- the previous version ran again here, is not needed).
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

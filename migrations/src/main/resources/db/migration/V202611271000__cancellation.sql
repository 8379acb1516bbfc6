-- Operator cancellation of a task. Queued messages of the cancelled steps are dropped when a worker
-- tries to claim them (claim_step: not_claimable), and results that arrive afterwards are discarded
-- (report_step_result, process_step_result), so cancelling only has to move states.

-- Cancels a task and every non-terminal step of it, in the caller's transaction. Steps already
-- complete, in error or resolved manually keep their state. Returns 'cancelled', 'not_found', or
-- 'terminal' (the task is already complete, error, cancelled or resolved manually: nothing changes).
CREATE OR REPLACE FUNCTION tasker.cancel_task(p_task_uuid uuid, p_reason text, p_actor text)
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    v_task tasker.tasks;
    v_step tasker.workflow_steps;
    v_metadata jsonb := jsonb_build_object('actor', p_actor, 'reason', p_reason);
BEGIN
    -- Task first, then its steps: the lock order of process_step_result, so the two cannot deadlock.
    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = p_task_uuid FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'not_found';
    END IF;
    IF v_task.current_state IN ('complete', 'error', 'cancelled', 'resolved_manually') THEN
        RETURN 'terminal';
    END IF;

    FOR v_step IN
        SELECT *
          FROM tasker.workflow_steps
         WHERE task_uuid = p_task_uuid
           AND current_state IN ('pending', 'enqueued', 'in_progress', 'enqueued_for_orchestration',
                                 'enqueued_as_error_for_orchestration', 'waiting_for_retry')
         ORDER BY workflow_step_uuid
           FOR UPDATE
    LOOP
        -- The step row is locked, so the compare-and-set cannot lose to a worker.
        PERFORM tasker.transition_step(v_step.workflow_step_uuid, v_step.current_state, 'cancelled',
                                       'task_cancelled', v_metadata);
        UPDATE tasker.workflow_steps
           SET claimed_by = NULL, lease_expires_at = NULL
         WHERE workflow_step_uuid = v_step.workflow_step_uuid;
    END LOOP;

    PERFORM tasker.transition_task(p_task_uuid, v_task.current_state, 'cancelled', 'cancelled_by_operator',
                                   v_metadata);
    RETURN 'cancelled';
END;
$fn$;

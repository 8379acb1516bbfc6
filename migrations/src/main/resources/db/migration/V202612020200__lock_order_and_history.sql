-- One lock order, closed attempts, an immutable transition history and its retention purge.
--
-- LOCK ORDER. Every function that touches a task, its steps and queue rows takes its row locks in
-- this order, so no two of them can wait on each other in a cycle:
--   1. the task row (the staleness sweep and the purge skip locked tasks);
--   2. step rows, in workflow_step_uuid order. A function that locks more than one step holds the
--      task lock first (cancel_task, operate_step, process_step_result, sweep_stale_tasks); the
--      worker functions lock exactly one step and never wait for a task lock while holding it;
--   3. queue rows (pgmq.set_vt, pgmq.delete, pgmq.archive of an existing message) last. Sending a
--      message inserts a new row and waits for nobody. Reading a message to learn which step it
--      names takes no lock (archive_poison_message reads, locks the step, then archives).
-- Task and step rows are locked FOR NO KEY UPDATE, never FOR UPDATE: a function that updates a
-- step row twice in one transaction has the foreign-key trigger take FOR KEY SHARE on the step's
-- task, and transition and attempt rows take it on their step. FOR UPDATE would block those
-- while holding the task, and a worker function that holds a step and needs KEY SHARE on its
-- task would close a cycle (the concurrency test found exactly that between report_step_result
-- and operate_step). Only the purge, which deletes, takes FOR UPDATE, after locking the steps.
--
-- ATTEMPT OUTCOMES. An attempt still open (outcome IS NULL) when its step is settled by someone
-- other than its worker is closed with the reason: 'cancelled' (cancel_task), 'task_stale'
-- (sweep_stale_tasks), 'resolved_manually' / 'completed_manually' (operate_step).
--
-- HISTORY. task_transitions and workflow_step_transitions are append-only: a trigger refuses
-- DELETE, TRUNCATE and every UPDATE other than clearing most_recent (true -> false, every other
-- column unchanged), whoever runs it, the owner included. The only deletion is
-- tasker.purge_finished_tasks, which removes whole finished tasks; it sets the transaction-local
-- setting tasker.purging_finished_tasks for its own statement, and even then the triggers let
-- only rows of finished (or already deleted) tasks go.

ALTER TABLE tasker.workflow_step_attempts DROP CONSTRAINT workflow_step_attempts_outcome_check;
ALTER TABLE tasker.workflow_step_attempts ADD CONSTRAINT workflow_step_attempts_outcome_check
    CHECK (outcome IN ('success', 'retryable_failure', 'permanent_failure', 'lease_expired', 'rejected_late',
                       'cancelled', 'task_stale', 'resolved_manually', 'completed_manually'));

-- Closes the open attempt of a step whose work someone other than its worker settled.
CREATE FUNCTION tasker.close_open_attempts(p_step_uuid uuid, p_outcome text, p_error jsonb)
RETURNS void
LANGUAGE sql AS $fn$
    UPDATE tasker.workflow_step_attempts
       SET outcome = p_outcome, finished_at = clock_timestamp(), error = p_error
     WHERE workflow_step_uuid = p_step_uuid AND outcome IS NULL
$fn$;

-- Cancels a task and every non-terminal step of it, in the caller's transaction. Steps already
-- complete, in error or resolved manually keep their state; a running attempt is closed as
-- 'cancelled'. Returns 'cancelled', 'not_found', or 'terminal' (the task is already complete,
-- error, cancelled or resolved manually: nothing changes).
CREATE OR REPLACE FUNCTION tasker.cancel_task(p_task_uuid uuid, p_reason text, p_actor text)
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    v_task tasker.tasks;
    v_step tasker.workflow_steps;
    v_metadata jsonb := jsonb_build_object('actor', p_actor, 'reason', p_reason);
BEGIN
    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = p_task_uuid FOR NO KEY UPDATE;
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
           FOR NO KEY UPDATE
    LOOP
        PERFORM tasker.transition_step(v_step.workflow_step_uuid, v_step.current_state, 'cancelled',
                                       'task_cancelled', v_metadata);
        UPDATE tasker.workflow_steps
           SET claimed_by = NULL, claim_token = NULL, lease_expires_at = NULL
         WHERE workflow_step_uuid = v_step.workflow_step_uuid;
        PERFORM tasker.close_open_attempts(v_step.workflow_step_uuid, 'cancelled',
                                           jsonb_build_object('type', 'cancelled') || v_metadata);
    END LOOP;

    PERFORM tasker.transition_task(p_task_uuid, v_task.current_state, 'cancelled', 'cancelled_by_operator',
                                   v_metadata);
    RETURN 'cancelled';
END;
$fn$;

-- Operator action on one step, recorded with who and why. Actions:
--   reset_for_retry    error -> pending, attempts reset to 0; the task resumes
--   resolve_manually   any non-complete state -> resolved_manually; dependents may run
--   complete_manually  any non-complete state -> complete with p_result; dependents receive it
-- A running attempt is closed as 'resolved_manually' or 'completed_manually'. Returns the step's
-- new state. Raises 'step_action_not_allowed' (TK010) when the step's state does not allow the
-- action, 'task_not_active' (TK011) when the task is cancelled or complete.
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
    SELECT * INTO v_task FROM tasker.tasks WHERE task_uuid = p_task_uuid FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'task_not_found: %', p_task_uuid USING ERRCODE = 'TK012';
    END IF;
    SELECT * INTO v_step FROM tasker.workflow_steps
     WHERE workflow_step_uuid = p_step_uuid AND task_uuid = p_task_uuid FOR NO KEY UPDATE;
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
               next_retry_at = NULL, last_error = NULL, claimed_by = NULL, claim_token = NULL,
               lease_expires_at = NULL
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
               claimed_by = NULL, claim_token = NULL, lease_expires_at = NULL
         WHERE workflow_step_uuid = p_step_uuid;
        PERFORM tasker.transition_step(p_step_uuid, v_step.current_state, v_to, p_action, v_meta);
        PERFORM tasker.close_open_attempts(p_step_uuid,
                                           CASE WHEN p_action = 'complete_manually' THEN 'completed_manually'
                                                ELSE 'resolved_manually' END,
                                           jsonb_build_object('type', p_action) || v_meta);
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
-- runs for them any more, their running attempts closed as 'task_stale'). SKIP LOCKED lets several
-- orchestrators sweep at once without waiting on each other or sweeping a task twice. Returns the
-- number of tasks moved.
CREATE OR REPLACE FUNCTION tasker.sweep_stale_tasks(p_limit integer)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    v_task tasker.tasks;
    v_limit_minutes integer;
    v_count integer := 0;
    v_step record;
    v_meta jsonb;
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
           FOR NO KEY UPDATE OF t SKIP LOCKED
    LOOP
        SELECT coalesce((configuration->'lifecycle'->>'max_duration_minutes')::integer, 1440) INTO v_limit_minutes
          FROM tasker.named_tasks WHERE named_task_uuid = v_task.named_task_uuid;
        v_meta := jsonb_build_object('max_duration_minutes', v_limit_minutes);
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
             ORDER BY workflow_step_uuid
               FOR NO KEY UPDATE
        LOOP
            PERFORM tasker.transition_step(v_step.workflow_step_uuid, v_step.current_state, 'cancelled',
                                           'task_stale', v_meta);
            UPDATE tasker.workflow_steps
               SET claimed_by = NULL, claim_token = NULL, lease_expires_at = NULL
             WHERE workflow_step_uuid = v_step.workflow_step_uuid;
            PERFORM tasker.close_open_attempts(v_step.workflow_step_uuid, 'task_stale',
                                               jsonb_build_object('type', 'task_stale') || v_meta);
        END LOOP;
        PERFORM tasker.transition_task(v_task.task_uuid, v_task.current_state, 'error', 'staleness_timeout', v_meta);
        v_count := v_count + 1;
    END LOOP;
    RETURN v_count;
END;
$fn$;

-- (Unchanged but for its lock modes: task, then step, FOR NO KEY UPDATE.)
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

-- --- immutable history ----------------------------------------------------------------------

-- True inside tasker.purge_finished_tasks when the row's task is finished or already deleted
-- (a cascade from the task row).
CREATE FUNCTION tasker.purging_task(p_task_uuid uuid)
RETURNS boolean
LANGUAGE sql STABLE AS $fn$
    SELECT coalesce(current_setting('tasker.purging_finished_tasks', true), '') = 'on'
       AND NOT EXISTS (SELECT 1 FROM tasker.tasks t
                        WHERE t.task_uuid = p_task_uuid
                          AND t.current_state NOT IN ('complete', 'error', 'cancelled', 'resolved_manually'))
$fn$;

CREATE FUNCTION tasker.guard_transition_history()
RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'transition_history_immutable: % cannot be truncated', TG_TABLE_NAME
            USING ERRCODE = 'TK020';
    ELSIF TG_OP = 'DELETE' THEN
        IF tasker.purging_task(OLD.task_uuid) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'transition_history_immutable: rows of % are deleted only with their finished task (tasker.purge_finished_tasks)',
            TG_TABLE_NAME USING ERRCODE = 'TK020';
    END IF;
    IF OLD.most_recent AND NOT NEW.most_recent
       AND to_jsonb(NEW) - 'most_recent' = to_jsonb(OLD) - 'most_recent' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'transition_history_immutable: % rows cannot be changed (only most_recent may be cleared)',
        TG_TABLE_NAME USING ERRCODE = 'TK020';
END;
$fn$;

CREATE TRIGGER transition_history_immutable
    BEFORE UPDATE OR DELETE ON tasker.task_transitions
    FOR EACH ROW EXECUTE FUNCTION tasker.guard_transition_history();
CREATE TRIGGER transition_history_no_truncate
    BEFORE TRUNCATE ON tasker.task_transitions
    FOR EACH STATEMENT EXECUTE FUNCTION tasker.guard_transition_history();
CREATE TRIGGER transition_history_immutable
    BEFORE UPDATE OR DELETE ON tasker.workflow_step_transitions
    FOR EACH ROW EXECUTE FUNCTION tasker.guard_transition_history();
CREATE TRIGGER transition_history_no_truncate
    BEFORE TRUNCATE ON tasker.workflow_step_transitions
    FOR EACH STATEMENT EXECUTE FUNCTION tasker.guard_transition_history();

-- A task leaves the database only through the purge, and only once finished.
CREATE FUNCTION tasker.guard_task_delete()
RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF coalesce(current_setting('tasker.purging_finished_tasks', true), '') = 'on'
       AND OLD.current_state IN ('complete', 'error', 'cancelled', 'resolved_manually') THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'task_delete_refused: task % is %; only tasker.purge_finished_tasks deletes finished tasks',
        OLD.task_uuid, OLD.current_state USING ERRCODE = 'TK020';
END;
$fn$;

CREATE TRIGGER task_delete_guard
    BEFORE DELETE ON tasker.tasks
    FOR EACH ROW EXECUTE FUNCTION tasker.guard_task_delete();

-- Retention: deletes up to p_limit tasks that finished (complete, error, cancelled,
-- resolved_manually) before p_finished_before, oldest first, with their steps, edges, attempts,
-- transitions and DLQ entries (foreign-key cascades), in the caller's transaction. Tasks locked by
-- someone else are skipped (the next run takes them); an unfinished task is never touched. Returns
-- how many tasks were deleted.
CREATE FUNCTION tasker.purge_finished_tasks(p_finished_before timestamptz, p_limit integer)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    v_task uuid;
    v_deleted integer;
    v_count integer := 0;
BEGIN
    IF p_finished_before IS NULL OR p_limit IS NULL OR p_limit < 1 OR p_limit > 10000 THEN
        RAISE EXCEPTION 'invalid_purge: finished_before % and limit % (1..10000)', p_finished_before, p_limit
            USING ERRCODE = '22023';
    END IF;
    PERFORM set_config('tasker.purging_finished_tasks', 'on', true);
    FOR v_task IN
        SELECT task_uuid
          FROM tasker.tasks
         WHERE current_state IN ('complete', 'error', 'cancelled', 'resolved_manually')
           AND completed_at < p_finished_before
         ORDER BY completed_at
         LIMIT p_limit
           FOR NO KEY UPDATE SKIP LOCKED
    LOOP
        -- The lock order before the delete's own locks: a late worker call on one of the steps
        -- finishes first instead of waiting on the task behind us.
        PERFORM 1 FROM tasker.workflow_steps WHERE task_uuid = v_task ORDER BY workflow_step_uuid FOR UPDATE;
        DELETE FROM tasker.tasks
         WHERE task_uuid = v_task AND current_state IN ('complete', 'error', 'cancelled', 'resolved_manually');
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
        v_count := v_count + v_deleted;
    END LOOP;
    PERFORM set_config('tasker.purging_finished_tasks', '', true);
    RETURN v_count;
END;
$fn$;

REVOKE EXECUTE ON FUNCTION
    tasker.close_open_attempts(uuid, text, jsonb),
    tasker.purging_task(uuid),
    tasker.guard_transition_history(),
    tasker.guard_task_delete(),
    tasker.purge_finished_tasks(timestamptz, integer)
    FROM PUBLIC;

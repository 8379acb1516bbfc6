-- Several result notices in one transaction: one round trip and one commit for a whole batch.
-- Notices are processed in task order, so two orchestrators processing overlapping batches take
-- the task locks in the same order and cannot deadlock. Each notice runs in its own subtransaction:
-- one that fails is rolled back alone, keeps its queue message (it comes back after its visibility
-- timeout) and is reported with its error, while the others commit.
CREATE OR REPLACE FUNCTION tasker.process_step_results(p_step_uuids uuid[], p_msg_ids bigint[])
RETURNS SETOF jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
    v_item record;
    v_outcome jsonb;
BEGIN
    IF coalesce(array_length(p_step_uuids, 1), 0) <> coalesce(array_length(p_msg_ids, 1), 0) THEN
        RAISE EXCEPTION 'process_step_results: % step uuids for % message ids',
            array_length(p_step_uuids, 1), array_length(p_msg_ids, 1) USING ERRCODE = '22023';
    END IF;
    FOR v_item IN
        SELECT n.step_uuid, n.msg_id
          FROM unnest(p_step_uuids, p_msg_ids) AS n(step_uuid, msg_id)
          LEFT JOIN tasker.workflow_steps s ON s.workflow_step_uuid = n.step_uuid
         ORDER BY s.task_uuid NULLS LAST, n.msg_id
    LOOP
        BEGIN
            v_outcome := tasker.process_step_result(v_item.step_uuid, v_item.msg_id);
            RETURN NEXT v_outcome || jsonb_build_object('step_uuid', v_item.step_uuid, 'msg_id', v_item.msg_id);
        EXCEPTION WHEN OTHERS THEN
            RETURN NEXT jsonb_build_object('action', 'error', 'step_uuid', v_item.step_uuid,
                                           'msg_id', v_item.msg_id, 'error', SQLERRM, 'sqlstate', SQLSTATE);
        END;
    END LOOP;
END;
$fn$;

-- Functions are executable by PUBLIC by default: keep this one, and every later one, to the roles
-- granted explicitly (the orchestrator role gets all functions through its default privileges).
REVOKE EXECUTE ON FUNCTION tasker.process_step_results(uuid[], bigint[]) FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA tasker REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

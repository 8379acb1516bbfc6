-- Database roles: what each service may do, so that a worker's credentials cannot change workflow
-- state except through the worker functions.
--
--   tasker_orchestrator  NOLOGIN group. ALL on schemas tasker and pgmq, on their tables, sequences
--                        and functions, now and for objects created later by the role that runs
--                        the migrations. The orchestrator's login is a member (or is the migration
--                        owner itself).
--   tasker_worker        NOLOGIN group. USAGE on both schemas; EXECUTE on the five worker functions
--                        of schema tasker only; DML on the pgmq queue tables of the worker queues
--                        (not on orchestration_step_results); nothing at all on the tasker tables.
--
-- The worker functions run as their owner (SECURITY DEFINER) with a fixed search_path, so the worker
-- needs no privilege on the tables they change. Every object their bodies (and the functions they
-- call) use is schema-qualified (tasker.*, pgmq.*) or lives in pg_catalog.
--
-- Keep in mind when changing a worker function later: CREATE OR REPLACE FUNCTION resets the
-- function to SECURITY INVOKER without the SET clause (ownership and grants stay). Repeat the
-- ALTER FUNCTION below in the migration that replaces it; RolesTest fails otherwise.
--
-- Roles are cluster-wide: they are created only when missing, and a concurrent migration of another
-- database of the same cluster that creates them first is not an error. The role that runs this
-- migration needs CREATEROLE unless both roles already exist (a DBA may create them beforehand).

DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'tasker_orchestrator') THEN
        BEGIN
            CREATE ROLE tasker_orchestrator NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'tasker_worker') THEN
        BEGIN
            CREATE ROLE tasker_worker NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END
$roles$;

-- Nothing in schema tasker is open to PUBLIC any more (functions are executable by PUBLIC by
-- default; tables are not, the REVOKE only makes it explicit).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA tasker FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA tasker FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA tasker FROM PUBLIC;

-- Orchestrator: everything in both schemas, including what later migrations and queues add.
GRANT ALL ON SCHEMA tasker, pgmq TO tasker_orchestrator;
GRANT ALL ON ALL TABLES IN SCHEMA tasker, pgmq TO tasker_orchestrator;
GRANT ALL ON ALL SEQUENCES IN SCHEMA tasker, pgmq TO tasker_orchestrator;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tasker, pgmq TO tasker_orchestrator;
ALTER DEFAULT PRIVILEGES IN SCHEMA tasker, pgmq GRANT ALL ON TABLES TO tasker_orchestrator;
ALTER DEFAULT PRIVILEGES IN SCHEMA tasker, pgmq GRANT ALL ON SEQUENCES TO tasker_orchestrator;
ALTER DEFAULT PRIVILEGES IN SCHEMA tasker, pgmq GRANT EXECUTE ON FUNCTIONS TO tasker_orchestrator;

-- Worker: the functions it calls, run with their owner's rights.
ALTER FUNCTION tasker.claim_step(uuid, text, integer, text, bigint)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION tasker.heartbeat_step(uuid, integer, text, integer, text, bigint)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION tasker.report_step_result(uuid, integer, text, text, jsonb, jsonb, text, bigint)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION tasker.archive_poison_message(text, bigint, text, uuid)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
-- Queues (and their notify trigger) are therefore always created by the owner, whoever asks, so
-- the default privileges below apply to every queue table.
ALTER FUNCTION tasker.ensure_queue(text)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

GRANT USAGE ON SCHEMA tasker, pgmq TO tasker_worker;
GRANT EXECUTE ON FUNCTION
    tasker.claim_step(uuid, text, integer, text, bigint),
    tasker.heartbeat_step(uuid, integer, text, integer, text, bigint),
    tasker.report_step_result(uuid, integer, text, text, jsonb, jsonb, text, bigint),
    tasker.archive_poison_message(text, bigint, text, uuid),
    tasker.ensure_queue(text)
    TO tasker_worker;

-- pgmq's functions (read, delete, archive, set_vt, send, metrics, ... and their internal helpers)
-- run with the caller's rights: what a worker can reach is decided by the table grants below. The
-- explicit grant keeps working if a DBA revokes pgmq's functions from PUBLIC.
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pgmq TO tasker_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA pgmq GRANT EXECUTE ON FUNCTIONS TO tasker_worker;

-- Queue tables: read, hide (UPDATE), delete and archive its messages; send (INSERT). The sequences
-- are read by pgmq.metrics (total_messages). Queues created later (worker_<namespace>_queue, by
-- tasker.ensure_queue) get the same through the default privileges.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgmq TO tasker_worker;
GRANT SELECT, USAGE ON ALL SEQUENCES IN SCHEMA pgmq TO tasker_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA pgmq GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tasker_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA pgmq GRANT SELECT, USAGE ON SEQUENCES TO tasker_worker;

-- ...but pgmq.meta (the queue list) is read-only to it, and the results queue is the orchestrator's:
-- a worker's notices go there through tasker.report_step_result, which runs as the owner.
REVOKE INSERT, UPDATE, DELETE ON pgmq.meta FROM tasker_worker;
REVOKE ALL ON pgmq.q_orchestration_step_results, pgmq.a_orchestration_step_results FROM tasker_worker;

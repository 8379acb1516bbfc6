-- The worker registry: every worker process records itself (id, host, namespaces, handler names,
-- SDK version, start) and refreshes its row with a presence heartbeat every few seconds; a
-- graceful shutdown marks it stopped. The orchestrator lists the rows (GET /v1/workers), deletes
-- the long gone ones (tasker.prune_workers) and tells a task that waits in a namespace without a
-- live worker (tasker.task_waiting_for_workers).
--
-- A worker is live while it is not stopped and its last heartbeat is younger than the live
-- timeout the reader passes; it is gone at coalesce(stopped_at, last_seen_at + live timeout).
--
-- Like the other worker functions (decision 004), the two worker calls are SECURITY DEFINER and
-- check what the CALLER (session_user) may touch: a worker registers only namespaces its role may
-- use, and refreshes or stops only a row whose namespaces it may use. The worker role has EXECUTE
-- on them and no privilege on the table.

CREATE TABLE tasker.workers (
    worker_id    text PRIMARY KEY CHECK (worker_id ~ '^[^[:cntrl:]]{1,200}$'),
    host         text NOT NULL CHECK (host ~ '^[^[:cntrl:]]{0,255}$'),
    namespaces   text[] NOT NULL CHECK (cardinality(namespaces) BETWEEN 1 AND 256),
    handlers     text[] NOT NULL CHECK (cardinality(handlers) <= 4096),
    sdk_version  text NOT NULL CHECK (sdk_version ~ '^[^[:cntrl:]]{0,64}$'),
    db_role      name NOT NULL,
    started_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    stopped_at   timestamptz
);
-- "Which workers serve namespace X": the peers of a heartbeat and the waiting_for_workers check.
CREATE INDEX workers_namespaces_idx ON tasker.workers USING gin (namespaces);

-- True when the caller may act on every namespace of p_namespaces.
CREATE FUNCTION tasker.caller_may_use_namespaces(p_namespaces text[])
RETURNS boolean
LANGUAGE sql STABLE AS $fn$
    SELECT tasker.caller_has_all_namespaces()
        OR NOT EXISTS (SELECT 1 FROM unnest(p_namespaces) AS n(namespace)
                        WHERE NOT tasker.caller_may_use_namespace(n.namespace))
$fn$;

-- Records the calling worker process, or refreshes its row: one upsert. Arguments:
--   p_worker_id     unique per process (1..200 characters, no control characters)
--   p_host          the host it runs on (0..255 characters)
--   p_namespaces    the namespaces it serves (1..256, each ^[a-z][a-z0-9_]{0,28}$); refused
--                   (42501) unless the caller may use every one
--   p_handlers      the handler names it runs (0..4096 dotted names, each at most 255 characters)
--   p_sdk_version   the version of the worker library (0..64 characters)
--   p_started_at    when the process started
--   p_live_seconds  how recent a peer's heartbeat must be for the peer to count as live (1..86400)
-- A stopped row with the same id comes back to life (a restart). A row whose namespaces the
-- caller may not use is never overwritten (42501). Returns the OTHER live workers that serve at
-- least one of the same namespaces with a different handler set; the namespaces column holds the
-- namespaces shared with the caller, handlers the peer's whole set.
CREATE FUNCTION tasker.worker_heartbeat(
    p_worker_id text, p_host text, p_namespaces text[], p_handlers text[], p_sdk_version text,
    p_started_at timestamptz, p_live_seconds integer)
RETURNS TABLE (worker_id text, host text, namespaces text[], handlers text[], sdk_version text,
               started_at timestamptz, last_seen_at timestamptz)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_namespaces text[];
    v_handlers text[];
    v_ns text;
    v_found boolean;
BEGIN
    IF p_worker_id IS NULL OR p_worker_id !~ '^[^[:cntrl:]]{1,200}$' THEN
        RAISE EXCEPTION 'invalid_worker_id: %', pg_catalog.quote_nullable(p_worker_id) USING ERRCODE = '22023';
    END IF;
    IF p_host IS NULL OR p_host !~ '^[^[:cntrl:]]{0,255}$' THEN
        RAISE EXCEPTION 'invalid_host: %', pg_catalog.quote_nullable(p_host) USING ERRCODE = '22023';
    END IF;
    IF p_sdk_version IS NULL OR p_sdk_version !~ '^[^[:cntrl:]]{0,64}$' THEN
        RAISE EXCEPTION 'invalid_sdk_version: %', pg_catalog.quote_nullable(p_sdk_version) USING ERRCODE = '22023';
    END IF;
    IF p_started_at IS NULL THEN
        RAISE EXCEPTION 'invalid_started_at: null' USING ERRCODE = '22023';
    END IF;
    IF p_live_seconds IS NULL OR p_live_seconds < 1 OR p_live_seconds > 86400 THEN
        RAISE EXCEPTION 'invalid_live_seconds: % (1..86400)', p_live_seconds USING ERRCODE = '22023';
    END IF;
    IF p_namespaces IS NULL OR cardinality(p_namespaces) NOT BETWEEN 1 AND 256 THEN
        RAISE EXCEPTION 'invalid_namespaces: give 1 to 256 namespaces' USING ERRCODE = '22023';
    END IF;
    IF p_handlers IS NULL OR cardinality(p_handlers) > 4096 THEN
        RAISE EXCEPTION 'invalid_handlers: give at most 4096 handler names' USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(p_handlers) AS h(name)
                WHERE h.name IS NULL OR length(h.name) > 255
                   OR h.name !~ '^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$') THEN
        RAISE EXCEPTION 'invalid_handlers: every handler name is a dotted name of at most 255 characters'
            USING ERRCODE = '22023';
    END IF;
    FOREACH v_ns IN ARRAY p_namespaces LOOP
        IF v_ns IS NULL OR v_ns !~ '^[a-z][a-z0-9_]{0,28}$' THEN
            RAISE EXCEPTION 'invalid_namespace: %', pg_catalog.quote_nullable(v_ns) USING ERRCODE = '22023';
        END IF;
        PERFORM tasker.require_namespace(v_ns, 'register a worker');
    END LOOP;
    v_namespaces := ARRAY(SELECT DISTINCT n FROM unnest(p_namespaces) AS n ORDER BY n);
    v_handlers := ARRAY(SELECT DISTINCT h FROM unnest(p_handlers) AS h ORDER BY h);

    INSERT INTO tasker.workers AS w
        (worker_id, host, namespaces, handlers, sdk_version, db_role, started_at, last_seen_at)
    VALUES (p_worker_id, p_host, v_namespaces, v_handlers, p_sdk_version, session_user,
            p_started_at, clock_timestamp())
    ON CONFLICT ON CONSTRAINT workers_pkey DO UPDATE
       SET host = EXCLUDED.host, namespaces = EXCLUDED.namespaces, handlers = EXCLUDED.handlers,
           sdk_version = EXCLUDED.sdk_version, db_role = EXCLUDED.db_role,
           started_at = EXCLUDED.started_at, last_seen_at = EXCLUDED.last_seen_at, stopped_at = NULL
     WHERE tasker.caller_may_use_namespaces(w.namespaces)
    RETURNING true INTO v_found;
    IF v_found IS NULL THEN
        RAISE EXCEPTION 'namespace_not_permitted: % may not take over worker % of other namespaces',
            session_user, p_worker_id USING ERRCODE = '42501';
    END IF;

    RETURN QUERY
        SELECT w.worker_id, w.host,
               ARRAY(SELECT n FROM unnest(w.namespaces) AS n WHERE n = ANY (v_namespaces) ORDER BY n),
               w.handlers, w.sdk_version, w.started_at, w.last_seen_at
          FROM tasker.workers w
         WHERE w.namespaces && v_namespaces
           AND w.worker_id <> p_worker_id
           AND w.stopped_at IS NULL
           AND w.last_seen_at > clock_timestamp() - make_interval(secs => p_live_seconds)
           AND w.handlers IS DISTINCT FROM v_handlers
         ORDER BY w.worker_id;
END;
$fn$;

-- Marks the calling worker's row stopped (graceful shutdown): it is gone at once instead of after
-- the live timeout. False when no running worker has that id; 42501 when the row is of namespaces
-- the caller may not use.
CREATE FUNCTION tasker.worker_stopped(p_worker_id text)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    v_worker tasker.workers;
    v_now timestamptz := clock_timestamp();
BEGIN
    SELECT * INTO v_worker FROM tasker.workers w
     WHERE w.worker_id = p_worker_id AND w.stopped_at IS NULL
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF NOT tasker.caller_may_use_namespaces(v_worker.namespaces) THEN
        RAISE EXCEPTION 'namespace_not_permitted: % may not stop worker % of other namespaces',
            session_user, p_worker_id USING ERRCODE = '42501';
    END IF;
    UPDATE tasker.workers
       SET stopped_at = v_now, last_seen_at = v_now
     WHERE worker_id = p_worker_id;
    RETURN true;
END;
$fn$;

-- Deletes the workers gone for longer than p_retention_seconds (gone = stopped, or last seen more
-- than p_live_seconds ago). Returns how many. Orchestrator side.
CREATE FUNCTION tasker.prune_workers(p_live_seconds double precision, p_retention_seconds double precision)
RETURNS integer
LANGUAGE sql AS $fn$
    WITH gone AS (
        DELETE FROM tasker.workers w
         WHERE coalesce(w.stopped_at, w.last_seen_at + make_interval(secs => p_live_seconds))
               < clock_timestamp() - make_interval(secs => p_retention_seconds)
        RETURNING 1)
    SELECT count(*)::integer FROM gone
$fn$;

-- True when the task has steps waiting for a worker (enqueued, or in progress with an expired
-- lease) and its namespace has had no live worker for p_waiting_after_seconds, counted from the
-- moment the last worker of the namespace went, or from the task's creation when that is later
-- (or no worker of the namespace is known). Orchestrator side: the execution summary.
CREATE FUNCTION tasker.task_waiting_for_workers(
    p_task_uuid uuid, p_live_seconds double precision, p_waiting_after_seconds double precision)
RETURNS boolean
LANGUAGE sql STABLE AS $fn$
    SELECT EXISTS (SELECT 1 FROM tasker.workflow_steps s
                    WHERE s.task_uuid = t.task_uuid
                      AND (s.current_state = 'enqueued'
                           OR (s.current_state = 'in_progress' AND s.lease_expires_at < now())))
       AND greatest(t.created_at,
                    (SELECT max(coalesce(w.stopped_at, w.last_seen_at + make_interval(secs => p_live_seconds)))
                       FROM tasker.workers w
                      WHERE w.namespaces @> ARRAY[t.namespace]))
           <= now() - make_interval(secs => p_waiting_after_seconds)
      FROM tasker.tasks t
     WHERE t.task_uuid = p_task_uuid
$fn$;

-- Scoped worker roles get the two presence calls too: the function of V202612020100 keeps its
-- work (scope, queues, the step calls) under a new name, and grant_worker_namespaces wraps it.
ALTER FUNCTION tasker.grant_worker_namespaces(name, text[]) RENAME TO grant_worker_step_namespaces;

-- Limits a worker role to exactly p_namespaces (see tasker.grant_worker_step_namespaces) and
-- grants it the presence calls. Returns the namespaces.
CREATE FUNCTION tasker.grant_worker_namespaces(p_role name, p_namespaces text[])
RETURNS text[]
LANGUAGE plpgsql AS $fn$
DECLARE
    v_namespaces text[] := tasker.grant_worker_step_namespaces(p_role, p_namespaces);
BEGIN
    EXECUTE pg_catalog.format(
        'GRANT EXECUTE ON FUNCTION'
        || ' tasker.worker_heartbeat(text, text, text[], text[], text, timestamptz, integer),'
        || ' tasker.worker_stopped(text) TO %I', p_role);
    RETURN v_namespaces;
END;
$fn$;

ALTER FUNCTION tasker.worker_heartbeat(text, text, text[], text[], text, timestamptz, integer)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION tasker.worker_stopped(text)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON tasker.workers FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION
    tasker.caller_may_use_namespaces(text[]),
    tasker.worker_heartbeat(text, text, text[], text[], text, timestamptz, integer),
    tasker.worker_stopped(text),
    tasker.prune_workers(double precision, double precision),
    tasker.task_waiting_for_workers(uuid, double precision, double precision),
    tasker.grant_worker_namespaces(name, text[])
    FROM PUBLIC;
GRANT SELECT, DELETE ON tasker.workers TO tasker_orchestrator;
GRANT EXECUTE ON FUNCTION
    tasker.prune_workers(double precision, double precision),
    tasker.task_waiting_for_workers(uuid, double precision, double precision)
    TO tasker_orchestrator;
GRANT EXECUTE ON FUNCTION
    tasker.worker_heartbeat(text, text, text[], text[], text, timestamptz, integer),
    tasker.worker_stopped(text)
    TO tasker_worker;

DO $do$
DECLARE
    v_role name;
BEGIN
    FOR v_role IN
        SELECT DISTINCT s.role_name FROM tasker.worker_namespace_scopes s
          JOIN pg_catalog.pg_roles r ON r.rolname = s.role_name
    LOOP
        EXECUTE pg_catalog.format(
            'GRANT EXECUTE ON FUNCTION tasker.worker_heartbeat(text, text, text[], text[], text, timestamptz, integer),'
            || ' tasker.worker_stopped(text) TO %I', v_role);
    END LOOP;
END;
$do$;

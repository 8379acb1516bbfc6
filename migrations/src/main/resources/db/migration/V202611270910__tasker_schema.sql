-- The tasker schema: templates, tasks, steps, edges, append-only transitions and the DLQ.
-- State sets are CHECK constraints; the legal transitions are data (two small tables) so the
-- compare-and-set functions below can refuse an illegal move with a named error.

CREATE SCHEMA IF NOT EXISTS tasker;

-- UUIDv7: 48 bits of Unix milliseconds, version 7, variant 10, the rest random.
CREATE OR REPLACE FUNCTION tasker.uuid_v7() RETURNS uuid
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    bytes bytea := uuid_send(gen_random_uuid());
    millis bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
BEGIN
    bytes := overlay(bytes PLACING substring(int8send(millis) FROM 3) FROM 1 FOR 6);
    bytes := set_byte(bytes, 6, (get_byte(bytes, 6) & 15) | 112);
    bytes := set_byte(bytes, 8, (get_byte(bytes, 8) & 63) | 128);
    RETURN encode(bytes, 'hex')::uuid;
END;
$fn$;

CREATE TABLE tasker.task_namespaces (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,28}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tasker.named_tasks (
    named_task_uuid   uuid PRIMARY KEY DEFAULT tasker.uuid_v7(),
    namespace         text NOT NULL REFERENCES tasker.task_namespaces (name),
    name              text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    version           text NOT NULL CHECK (version ~ '^[0-9]+\.[0-9]+\.[0-9]+$'),
    description       text,
    configuration     jsonb NOT NULL,
    content_hash      text NOT NULL,
    identity_strategy text NOT NULL DEFAULT 'strict'
        CHECK (identity_strategy IN ('strict', 'caller_provided', 'always_unique')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (namespace, name, version)
);

CREATE TABLE tasker.tasks (
    task_uuid       uuid PRIMARY KEY DEFAULT tasker.uuid_v7(),
    named_task_uuid uuid NOT NULL REFERENCES tasker.named_tasks (named_task_uuid),
    namespace       text NOT NULL,
    name            text NOT NULL,
    version         text NOT NULL,
    current_state   text NOT NULL DEFAULT 'pending' CHECK (current_state IN (
        'pending', 'initializing', 'enqueuing_steps', 'steps_in_process', 'evaluating_results',
        'waiting_for_dependencies', 'waiting_for_retry', 'blocked_by_failures',
        'complete', 'error', 'cancelled', 'resolved_manually')),
    context         jsonb NOT NULL DEFAULT '{}'::jsonb,
    identity_hash   text NOT NULL UNIQUE,
    priority        integer NOT NULL DEFAULT 0,
    correlation_id  uuid NOT NULL,
    initiator       text,
    source_system   text,
    reason          text,
    tags            jsonb NOT NULL DEFAULT '[]'::jsonb,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz
);
CREATE INDEX tasks_namespace_name_idx ON tasker.tasks (namespace, name, created_at DESC);
CREATE INDEX tasks_state_idx ON tasker.tasks (current_state, created_at DESC);
CREATE INDEX tasks_created_idx ON tasker.tasks (created_at DESC, task_uuid DESC);
CREATE INDEX tasks_active_idx ON tasker.tasks (updated_at)
    WHERE current_state NOT IN ('complete', 'error', 'cancelled', 'resolved_manually');

CREATE TABLE tasker.workflow_steps (
    workflow_step_uuid uuid PRIMARY KEY DEFAULT tasker.uuid_v7(),
    task_uuid          uuid NOT NULL REFERENCES tasker.tasks (task_uuid) ON DELETE CASCADE,
    name               text NOT NULL,
    position           integer NOT NULL DEFAULT 0,
    handler            text NOT NULL,
    current_state      text NOT NULL DEFAULT 'pending' CHECK (current_state IN (
        'pending', 'enqueued', 'in_progress', 'enqueued_for_orchestration',
        'enqueued_as_error_for_orchestration', 'waiting_for_retry',
        'complete', 'error', 'cancelled', 'resolved_manually')),
    retryable          boolean NOT NULL DEFAULT true,
    max_attempts       integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 100),
    attempts           integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- Bumped by an operator's reset_for_retry, which restarts the attempt count: attempt rows of
    -- earlier generations stay in the history.
    attempt_generation integer NOT NULL DEFAULT 0,
    retry_policy       jsonb NOT NULL DEFAULT '{}'::jsonb,
    timeout_seconds    integer NOT NULL DEFAULT 30 CHECK (timeout_seconds BETWEEN 1 AND 86400),
    config             jsonb NOT NULL DEFAULT '{}'::jsonb,
    inputs             jsonb NOT NULL DEFAULT '{}'::jsonb,
    results            jsonb,
    last_error         jsonb,
    next_retry_at      timestamptz,
    claimed_by         text,
    lease_expires_at   timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    completed_at       timestamptz,
    UNIQUE (task_uuid, name)
);

CREATE TABLE tasker.workflow_step_edges (
    task_uuid      uuid NOT NULL REFERENCES tasker.tasks (task_uuid) ON DELETE CASCADE,
    from_step_uuid uuid NOT NULL REFERENCES tasker.workflow_steps (workflow_step_uuid) ON DELETE CASCADE,
    to_step_uuid   uuid NOT NULL REFERENCES tasker.workflow_steps (workflow_step_uuid) ON DELETE CASCADE,
    PRIMARY KEY (from_step_uuid, to_step_uuid),
    CHECK (from_step_uuid <> to_step_uuid)
);
CREATE INDEX workflow_step_edges_to_idx ON tasker.workflow_step_edges (to_step_uuid);
CREATE INDEX workflow_step_edges_task_idx ON tasker.workflow_step_edges (task_uuid);

CREATE TABLE tasker.task_transitions (
    task_transition_uuid uuid PRIMARY KEY DEFAULT tasker.uuid_v7(),
    task_uuid            uuid NOT NULL REFERENCES tasker.tasks (task_uuid) ON DELETE CASCADE,
    from_state           text,
    to_state             text NOT NULL,
    reason               text,
    metadata             jsonb NOT NULL DEFAULT '{}'::jsonb,
    most_recent          boolean NOT NULL,
    sort_key             integer NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (task_uuid, sort_key)
);
CREATE UNIQUE INDEX task_transitions_most_recent_idx
    ON tasker.task_transitions (task_uuid) WHERE most_recent;

CREATE TABLE tasker.workflow_step_transitions (
    workflow_step_transition_uuid uuid PRIMARY KEY DEFAULT tasker.uuid_v7(),
    workflow_step_uuid uuid NOT NULL REFERENCES tasker.workflow_steps (workflow_step_uuid) ON DELETE CASCADE,
    task_uuid          uuid NOT NULL,
    from_state         text,
    to_state           text NOT NULL,
    reason             text,
    metadata           jsonb NOT NULL DEFAULT '{}'::jsonb,
    most_recent        boolean NOT NULL,
    sort_key           integer NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (workflow_step_uuid, sort_key)
);
CREATE UNIQUE INDEX workflow_step_transitions_most_recent_idx
    ON tasker.workflow_step_transitions (workflow_step_uuid) WHERE most_recent;
CREATE INDEX workflow_step_transitions_task_idx ON tasker.workflow_step_transitions (task_uuid);

-- One row per attempt: who ran it, when, and how it ended (for the attempt history API).
CREATE TABLE tasker.workflow_step_attempts (
    workflow_step_uuid uuid NOT NULL REFERENCES tasker.workflow_steps (workflow_step_uuid) ON DELETE CASCADE,
    generation         integer NOT NULL DEFAULT 0,
    attempt            integer NOT NULL,
    worker_id          text NOT NULL,
    started_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at        timestamptz,
    outcome            text CHECK (outcome IN ('success', 'retryable_failure', 'permanent_failure', 'lease_expired', 'rejected_late')),
    error              jsonb,
    PRIMARY KEY (workflow_step_uuid, generation, attempt)
);

CREATE TABLE tasker.tasks_dlq (
    dlq_entry_uuid    uuid PRIMARY KEY DEFAULT tasker.uuid_v7(),
    task_uuid         uuid NOT NULL REFERENCES tasker.tasks (task_uuid) ON DELETE CASCADE,
    original_state    text NOT NULL,
    reason            text NOT NULL,
    snapshot          jsonb NOT NULL,
    resolution_status text NOT NULL DEFAULT 'pending'
        CHECK (resolution_status IN ('pending', 'manually_resolved', 'permanently_failed', 'cancelled')),
    resolution_notes  text,
    resolved_by       text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    resolved_at       timestamptz
);
CREATE UNIQUE INDEX tasks_dlq_open_idx ON tasker.tasks_dlq (task_uuid) WHERE resolution_status = 'pending';

-- Legal transitions. A compare-and-set to a pair not listed here raises 'illegal_*_transition'.
CREATE TABLE tasker.task_state_machine (
    from_state text NOT NULL,
    to_state   text NOT NULL,
    PRIMARY KEY (from_state, to_state)
);
INSERT INTO tasker.task_state_machine (from_state, to_state) VALUES
    ('pending', 'initializing'),
    ('initializing', 'enqueuing_steps'),
    ('enqueuing_steps', 'steps_in_process'),
    ('enqueuing_steps', 'evaluating_results'),
    ('steps_in_process', 'evaluating_results'),
    ('evaluating_results', 'steps_in_process'),
    ('evaluating_results', 'waiting_for_dependencies'),
    ('evaluating_results', 'waiting_for_retry'),
    ('evaluating_results', 'blocked_by_failures'),
    ('evaluating_results', 'complete'),
    ('evaluating_results', 'error'),
    ('waiting_for_dependencies', 'evaluating_results'),
    ('waiting_for_retry', 'evaluating_results'),
    ('blocked_by_failures', 'evaluating_results'),
    ('blocked_by_failures', 'error'),
    ('error', 'evaluating_results');
-- Any non-terminal state may be cancelled, failed (staleness sweep) or resolved by an operator.
INSERT INTO tasker.task_state_machine (from_state, to_state)
SELECT s, t
FROM unnest(ARRAY['pending', 'initializing', 'enqueuing_steps', 'steps_in_process', 'evaluating_results',
                  'waiting_for_dependencies', 'waiting_for_retry', 'blocked_by_failures']) AS s,
     unnest(ARRAY['cancelled', 'error', 'resolved_manually']) AS t
ON CONFLICT DO NOTHING;
INSERT INTO tasker.task_state_machine VALUES ('error', 'resolved_manually') ON CONFLICT DO NOTHING;

CREATE TABLE tasker.step_state_machine (
    from_state text NOT NULL,
    to_state   text NOT NULL,
    PRIMARY KEY (from_state, to_state)
);
INSERT INTO tasker.step_state_machine (from_state, to_state) VALUES
    ('pending', 'enqueued'),
    ('enqueued', 'in_progress'),
    ('in_progress', 'in_progress'),
    ('in_progress', 'enqueued_for_orchestration'),
    ('in_progress', 'enqueued_as_error_for_orchestration'),
    ('enqueued_for_orchestration', 'complete'),
    ('enqueued_as_error_for_orchestration', 'waiting_for_retry'),
    ('enqueued_as_error_for_orchestration', 'error'),
    ('waiting_for_retry', 'enqueued'),
    ('enqueued', 'error'),
    ('in_progress', 'error'),
    ('error', 'pending');
INSERT INTO tasker.step_state_machine (from_state, to_state)
SELECT s, t
FROM unnest(ARRAY['pending', 'enqueued', 'in_progress', 'enqueued_for_orchestration',
                  'enqueued_as_error_for_orchestration', 'waiting_for_retry']) AS s,
     unnest(ARRAY['cancelled', 'resolved_manually', 'complete']) AS t
ON CONFLICT DO NOTHING;
INSERT INTO tasker.step_state_machine VALUES
    ('error', 'resolved_manually'), ('error', 'complete')
ON CONFLICT DO NOTHING;

-- Compare-and-set of a task's state. Returns false when the task is not in expected_from (a
-- concurrent actor moved it first); raises 'illegal_task_transition' (SQLSTATE TK001) when the
-- pair is not a legal move. The transition row is written in the same call.
CREATE OR REPLACE FUNCTION tasker.transition_task(
    p_task_uuid uuid, p_from text, p_to text, p_reason text DEFAULT NULL, p_metadata jsonb DEFAULT '{}'::jsonb)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    v_sort integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tasker.task_state_machine WHERE from_state = p_from AND to_state = p_to) THEN
        RAISE EXCEPTION 'illegal_task_transition: % -> % (task %)', p_from, p_to, p_task_uuid
            USING ERRCODE = 'TK001';
    END IF;
    UPDATE tasker.tasks
       SET current_state = p_to,
           updated_at = now(),
           completed_at = CASE WHEN p_to IN ('complete', 'error', 'cancelled', 'resolved_manually')
                               THEN clock_timestamp() ELSE NULL END
     WHERE task_uuid = p_task_uuid AND current_state = p_from;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE tasker.task_transitions SET most_recent = false
     WHERE task_uuid = p_task_uuid AND most_recent
     RETURNING sort_key INTO v_sort;
    INSERT INTO tasker.task_transitions (task_uuid, from_state, to_state, reason, metadata, most_recent, sort_key)
    VALUES (p_task_uuid, p_from, p_to, p_reason, coalesce(p_metadata, '{}'::jsonb), true, coalesce(v_sort, 0) + 1);
    RETURN true;
END;
$fn$;

-- Compare-and-set of a step's state; same contract as tasker.transition_task (SQLSTATE TK002).
CREATE OR REPLACE FUNCTION tasker.transition_step(
    p_step_uuid uuid, p_from text, p_to text, p_reason text DEFAULT NULL, p_metadata jsonb DEFAULT '{}'::jsonb)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    v_sort integer;
    v_task uuid;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tasker.step_state_machine WHERE from_state = p_from AND to_state = p_to) THEN
        RAISE EXCEPTION 'illegal_step_transition: % -> % (step %)', p_from, p_to, p_step_uuid
            USING ERRCODE = 'TK002';
    END IF;
    UPDATE tasker.workflow_steps
       SET current_state = p_to,
           updated_at = now(),
           completed_at = CASE WHEN p_to IN ('complete', 'resolved_manually') THEN clock_timestamp()
                               ELSE completed_at END
     WHERE workflow_step_uuid = p_step_uuid AND current_state = p_from
     RETURNING task_uuid INTO v_task;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE tasker.workflow_step_transitions SET most_recent = false
     WHERE workflow_step_uuid = p_step_uuid AND most_recent
     RETURNING sort_key INTO v_sort;
    INSERT INTO tasker.workflow_step_transitions
        (workflow_step_uuid, task_uuid, from_state, to_state, reason, metadata, most_recent, sort_key)
    VALUES (p_step_uuid, v_task, p_from, p_to, p_reason, coalesce(p_metadata, '{}'::jsonb), true, coalesce(v_sort, 0) + 1);
    RETURN true;
END;
$fn$;

-- Readiness of every step of a task: a step is ready when it is pending (or waiting for a retry
-- whose backoff is due and attempts remain) and every parent is complete or resolved manually.
CREATE OR REPLACE FUNCTION tasker.step_readiness(p_task_uuid uuid)
RETURNS TABLE (
    workflow_step_uuid     uuid,
    name                   text,
    current_state          text,
    total_parents          integer,
    completed_parents      integer,
    dependencies_satisfied boolean,
    retry_eligible         boolean,
    backoff_due            boolean,
    ready                  boolean,
    attempts               integer,
    max_attempts           integer,
    next_retry_at          timestamptz)
LANGUAGE sql STABLE ROWS 20 AS $fn$
    -- Both CTEs are pinned to the task (index scans), so the cost follows the task's size, never
    -- the size of the tables.
    WITH steps AS MATERIALIZED (
        SELECT * FROM tasker.workflow_steps WHERE task_uuid = p_task_uuid
    ),
    parents AS (
        SELECT e.to_step_uuid AS step_uuid,
               count(*)::integer AS total,
               count(*) FILTER (WHERE p.current_state IN ('complete', 'resolved_manually'))::integer AS done
          FROM tasker.workflow_step_edges e
          JOIN steps p ON p.workflow_step_uuid = e.from_step_uuid
         WHERE e.task_uuid = p_task_uuid
         GROUP BY e.to_step_uuid
    )
    SELECT s.workflow_step_uuid,
           s.name,
           s.current_state,
           coalesce(pa.total, 0),
           coalesce(pa.done, 0),
           coalesce(pa.done, 0) = coalesce(pa.total, 0),
           (s.attempts = 0 OR (s.retryable AND s.attempts < s.max_attempts)),
           (s.next_retry_at IS NULL OR s.next_retry_at <= now()),
           s.current_state IN ('pending', 'waiting_for_retry')
             AND coalesce(pa.done, 0) = coalesce(pa.total, 0)
             AND (s.attempts = 0 OR (s.retryable AND s.attempts < s.max_attempts))
             AND (s.next_retry_at IS NULL OR s.next_retry_at <= now()),
           s.attempts,
           s.max_attempts,
           s.next_retry_at
      FROM steps s
      LEFT JOIN parents pa ON pa.step_uuid = s.workflow_step_uuid
$fn$;

-- Counts per state and the overall execution status of a task. blocked_by_failures outranks
-- has_ready_steps: a failed step is the fact an operator must see first, even while independent
-- branches still run.
CREATE OR REPLACE FUNCTION tasker.task_execution_summary(p_task_uuid uuid)
RETURNS TABLE (
    total_steps       integer,
    pending_steps     integer,
    enqueued_steps    integer,
    in_progress_steps integer,
    completed_steps   integer,
    failed_steps      integer,
    waiting_for_retry_steps integer,
    cancelled_steps   integer,
    ready_steps       integer,
    blocked_steps     integer,
    execution_status  text,
    health_status     text)
LANGUAGE sql STABLE ROWS 1 AS $fn$
    WITH r AS (SELECT * FROM tasker.step_readiness(p_task_uuid)),
    c AS (
        SELECT count(*)::integer AS total,
               count(*) FILTER (WHERE current_state = 'pending')::integer AS pending,
               count(*) FILTER (WHERE current_state = 'enqueued')::integer AS enqueued,
               count(*) FILTER (WHERE current_state IN ('in_progress', 'enqueued_for_orchestration',
                                                      'enqueued_as_error_for_orchestration'))::integer AS in_progress,
               count(*) FILTER (WHERE current_state IN ('complete', 'resolved_manually'))::integer AS completed,
               count(*) FILTER (WHERE current_state = 'error')::integer AS failed,
               count(*) FILTER (WHERE current_state = 'waiting_for_retry')::integer AS waiting_retry,
               count(*) FILTER (WHERE current_state = 'cancelled')::integer AS cancelled,
               count(*) FILTER (WHERE ready)::integer AS ready
          FROM r
    )
    SELECT c.total, c.pending, c.enqueued, c.in_progress, c.completed, c.failed, c.waiting_retry,
           c.cancelled, c.ready,
           (c.pending - c.ready)::integer,
           CASE
               WHEN c.total > 0 AND c.completed = c.total THEN 'all_complete'
               WHEN c.failed > 0 THEN 'blocked_by_failures'
               WHEN c.ready > 0 THEN 'has_ready_steps'
               WHEN c.enqueued + c.in_progress > 0 THEN 'processing'
               WHEN c.waiting_retry > 0 THEN 'waiting_for_retry'
               ELSE 'waiting_for_dependencies'
           END,
           CASE
               WHEN c.failed > 0 AND c.enqueued + c.in_progress + c.ready + c.waiting_retry = 0 THEN 'blocked'
               WHEN c.failed > 0 THEN 'degraded'
               ELSE 'healthy'
           END
      FROM c
$fn$;

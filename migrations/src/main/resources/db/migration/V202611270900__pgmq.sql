-- Message queues: the pgmq extension when the server has it, otherwise our own implementation of
-- the part of its API this project uses (same schema, tables, types, signatures and semantics),
-- written from pgmq's documented behaviour. Then the tasker helpers that create queues and wake
-- consumers through LISTEN/NOTIFY, which work the same on both.
--
-- Moving a database from our implementation to the real extension later is a manual step: both
-- occupy schema pgmq, so our objects must be dropped (after draining the queues) before
-- CREATE EXTENSION pgmq, and the queues recreated with tasker.ensure_queue.

DO $install$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgmq') THEN
        CREATE EXTENSION IF NOT EXISTS pgmq;
        RETURN;
    END IF;

    EXECUTE $ddl$ CREATE SCHEMA IF NOT EXISTS pgmq $ddl$;

    EXECUTE $ddl$
        CREATE TABLE pgmq.meta (
            queue_name     varchar     UNIQUE NOT NULL,
            is_partitioned boolean     NOT NULL DEFAULT false,
            is_unlogged    boolean     NOT NULL DEFAULT false,
            created_at     timestamptz NOT NULL DEFAULT now()
        )
    $ddl$;

    EXECUTE $ddl$
        CREATE TYPE pgmq.message_record AS (
            msg_id       bigint,
            read_ct      integer,
            enqueued_at  timestamptz,
            last_read_at timestamptz,
            vt           timestamptz,
            message      jsonb,
            headers      jsonb
        )
    $ddl$;

    EXECUTE $ddl$
        CREATE TYPE pgmq.metrics_result AS (
            queue_name           text,
            queue_length         bigint,
            newest_msg_age_sec   integer,
            oldest_msg_age_sec   integer,
            total_messages       bigint,
            scrape_time          timestamptz,
            queue_visible_length bigint
        )
    $ddl$;

    EXECUTE $ddl$
        CREATE TYPE pgmq.queue_record AS (
            queue_name     varchar,
            is_partitioned boolean,
            is_unlogged    boolean,
            created_at     timestamptz
        )
    $ddl$;

    -- Lower-cases and validates a queue name and returns the name of one of its tables ('q' for
    -- the queue, 'a' for the archive). Validation keeps table names within PostgreSQL's 63 bytes
    -- and away from quoting surprises; format('%I') still quotes them everywhere.
    EXECUTE $ddl$
        CREATE FUNCTION pgmq.tasker_table_name(queue_name text, prefix text)
        RETURNS text
        LANGUAGE plpgsql
        IMMUTABLE
        AS $fn$
        DECLARE
            qname text := lower(queue_name);
        BEGIN
            IF qname IS NULL OR qname !~ '^[a-z0-9_]{1,47}$' THEN
                RAISE EXCEPTION 'invalid queue name %', quote_nullable(queue_name)
                    USING ERRCODE = '22023',
                          HINT = 'Queue names are letters, digits and underscores, at most 47 characters.';
            END IF;
            RETURN prefix || '_' || qname;
        END
        $fn$
    $ddl$;

    EXECUTE $ddl$
        CREATE FUNCTION pgmq."create"(queue_name text)
        RETURNS void
        LANGUAGE plpgsql
        AS $fn$
        DECLARE
            qtable text := pgmq.tasker_table_name(queue_name, 'q');
            atable text := pgmq.tasker_table_name(queue_name, 'a');
        BEGIN
            EXECUTE format(
                'CREATE TABLE IF NOT EXISTS pgmq.%I ('
                || ' msg_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,'
                || ' read_ct integer NOT NULL DEFAULT 0,'
                || ' enqueued_at timestamptz NOT NULL DEFAULT now(),'
                || ' last_read_at timestamptz,'
                || ' vt timestamptz NOT NULL,'
                || ' message jsonb,'
                || ' headers jsonb)',
                qtable);
            EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON pgmq.%I (vt)', qtable || '_vt_idx', qtable);
            EXECUTE format(
                'CREATE TABLE IF NOT EXISTS pgmq.%I ('
                || ' msg_id bigint PRIMARY KEY,'
                || ' read_ct integer NOT NULL DEFAULT 0,'
                || ' enqueued_at timestamptz NOT NULL DEFAULT now(),'
                || ' last_read_at timestamptz,'
                || ' archived_at timestamptz NOT NULL DEFAULT now(),'
                || ' vt timestamptz NOT NULL,'
                || ' message jsonb,'
                || ' headers jsonb)',
                atable);
            EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON pgmq.%I (archived_at)', atable || '_at_idx', atable);
            INSERT INTO pgmq.meta (queue_name) VALUES (lower(queue_name)) ON CONFLICT DO NOTHING;
        END
        $fn$
    $ddl$;

    EXECUTE $ddl$
        CREATE FUNCTION pgmq.drop_queue(queue_name text)
        RETURNS boolean
        LANGUAGE plpgsql
        AS $fn$
        DECLARE
            qtable text := pgmq.tasker_table_name(queue_name, 'q');
            atable text := pgmq.tasker_table_name(queue_name, 'a');
            qname text := lower(queue_name);
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pgmq.meta m WHERE m.queue_name = qname) THEN
                RAISE NOTICE 'queue % does not exist', qname;
                RETURN false;
            END IF;
            EXECUTE format('DROP TABLE IF EXISTS pgmq.%I', qtable);
            EXECUTE format('DROP TABLE IF EXISTS pgmq.%I', atable);
            DELETE FROM pgmq.meta m WHERE m.queue_name = qname;
            RETURN true;
        END
        $fn$
    $ddl$;

    EXECUTE $ddl$
        CREATE FUNCTION pgmq.send(queue_name text, msg jsonb, delay integer DEFAULT 0)
        RETURNS SETOF bigint
        LANGUAGE plpgsql
        AS $fn$
        BEGIN
            RETURN QUERY EXECUTE format(
                'INSERT INTO pgmq.%I (vt, message)'
                || ' VALUES (clock_timestamp() + make_interval(secs => $1), $2)'
                || ' RETURNING msg_id',
                pgmq.tasker_table_name(queue_name, 'q'))
                USING delay, msg;
        END
        $fn$
    $ddl$;

    -- Identities are handed out in array order, so ascending msg_id follows the input order.
    EXECUTE $ddl$
        CREATE FUNCTION pgmq.send_batch(queue_name text, msgs jsonb[], delay integer DEFAULT 0)
        RETURNS SETOF bigint
        LANGUAGE plpgsql
        AS $fn$
        BEGIN
            RETURN QUERY EXECUTE format(
                'INSERT INTO pgmq.%I (vt, message)'
                || ' SELECT clock_timestamp() + make_interval(secs => $1), m.message'
                || ' FROM unnest($2) WITH ORDINALITY AS m(message, ord)'
                || ' ORDER BY m.ord'
                || ' RETURNING msg_id',
                pgmq.tasker_table_name(queue_name, 'q'))
                USING delay, msgs;
        END
        $fn$
    $ddl$;

    -- Visible messages, oldest first; rows another reader has locked are skipped, so concurrent
    -- readers never receive the same message.
    EXECUTE $ddl$
        CREATE FUNCTION pgmq.read(queue_name text, vt integer, qty integer)
        RETURNS SETOF pgmq.message_record
        LANGUAGE plpgsql
        AS $fn$
        DECLARE
            qtable text := pgmq.tasker_table_name(queue_name, 'q');
        BEGIN
            RETURN QUERY EXECUTE format(
                'WITH picked AS ('
                || '   SELECT msg_id FROM pgmq.%I'
                || '    WHERE vt <= clock_timestamp()'
                || '    ORDER BY msg_id'
                || '    LIMIT $1'
                || '    FOR UPDATE SKIP LOCKED),'
                || ' taken AS ('
                || '   UPDATE pgmq.%I q'
                || '      SET vt = clock_timestamp() + make_interval(secs => $2),'
                || '          read_ct = q.read_ct + 1,'
                || '          last_read_at = clock_timestamp()'
                || '     FROM picked'
                || '    WHERE q.msg_id = picked.msg_id'
                || '    RETURNING q.msg_id, q.read_ct, q.enqueued_at, q.last_read_at, q.vt,'
                || '              q.message, q.headers)'
                || ' SELECT msg_id, read_ct, enqueued_at, last_read_at, vt, message, headers'
                || '   FROM taken ORDER BY msg_id',
                qtable, qtable)
                USING qty, vt;
        END
        $fn$
    $ddl$;

    EXECUTE $ddl$
        CREATE FUNCTION pgmq.delete(queue_name text, msg_id bigint)
        RETURNS boolean
        LANGUAGE plpgsql
        AS $fn$
        DECLARE
            deleted bigint;
        BEGIN
            EXECUTE format(
                'DELETE FROM pgmq.%I WHERE msg_id = $1 RETURNING msg_id',
                pgmq.tasker_table_name(queue_name, 'q'))
                INTO deleted
                USING msg_id;
            RETURN deleted IS NOT NULL;
        END
        $fn$
    $ddl$;

    EXECUTE $ddl$
        CREATE FUNCTION pgmq.delete(queue_name text, msg_ids bigint[])
        RETURNS SETOF bigint
        LANGUAGE plpgsql
        AS $fn$
        BEGIN
            RETURN QUERY EXECUTE format(
                'DELETE FROM pgmq.%I WHERE msg_id = ANY($1) RETURNING msg_id',
                pgmq.tasker_table_name(queue_name, 'q'))
                USING msg_ids;
        END
        $fn$
    $ddl$;

    -- Moves messages to the archive in one statement, so a message is never in both tables.
    EXECUTE $ddl$
        CREATE FUNCTION pgmq.archive(queue_name text, msg_ids bigint[])
        RETURNS SETOF bigint
        LANGUAGE plpgsql
        AS $fn$
        BEGIN
            RETURN QUERY EXECUTE format(
                'WITH moved AS ('
                || '   DELETE FROM pgmq.%I WHERE msg_id = ANY($1)'
                || '   RETURNING msg_id, read_ct, enqueued_at, last_read_at, vt, message, headers)'
                || ' INSERT INTO pgmq.%I'
                || '   (msg_id, read_ct, enqueued_at, last_read_at, vt, message, headers)'
                || ' SELECT msg_id, read_ct, enqueued_at, last_read_at, vt, message, headers'
                || '   FROM moved'
                || ' RETURNING msg_id',
                pgmq.tasker_table_name(queue_name, 'q'),
                pgmq.tasker_table_name(queue_name, 'a'))
                USING msg_ids;
        END
        $fn$
    $ddl$;

    EXECUTE $ddl$
        CREATE FUNCTION pgmq.archive(queue_name text, msg_id bigint)
        RETURNS boolean
        LANGUAGE sql
        AS $fn$
            SELECT EXISTS (SELECT 1 FROM pgmq.archive($1, ARRAY[$2]))
        $fn$
    $ddl$;

    EXECUTE $ddl$
        CREATE FUNCTION pgmq.set_vt(queue_name text, msg_id bigint, vt integer)
        RETURNS SETOF pgmq.message_record
        LANGUAGE plpgsql
        AS $fn$
        BEGIN
            RETURN QUERY EXECUTE format(
                'UPDATE pgmq.%I'
                || '   SET vt = clock_timestamp() + make_interval(secs => $2)'
                || ' WHERE msg_id = $1'
                || ' RETURNING msg_id, read_ct, enqueued_at, last_read_at, vt, message, headers',
                pgmq.tasker_table_name(queue_name, 'q'))
                USING msg_id, vt;
        END
        $fn$
    $ddl$;

    EXECUTE $ddl$
        CREATE FUNCTION pgmq.purge_queue(queue_name text)
        RETURNS bigint
        LANGUAGE plpgsql
        AS $fn$
        DECLARE
            purged bigint;
        BEGIN
            EXECUTE format('DELETE FROM pgmq.%I', pgmq.tasker_table_name(queue_name, 'q'));
            GET DIAGNOSTICS purged = ROW_COUNT;
            RETURN purged;
        END
        $fn$
    $ddl$;

    -- total_messages counts every message ever sent: the identity's last value, not the rows left.
    EXECUTE $ddl$
        CREATE FUNCTION pgmq.metrics(queue_name text)
        RETURNS pgmq.metrics_result
        LANGUAGE plpgsql
        AS $fn$
        DECLARE
            qtable text := pgmq.tasker_table_name(queue_name, 'q');
            result pgmq.metrics_result;
        BEGIN
            EXECUTE format(
                'SELECT $1,'
                || ' count(*),'
                || ' extract(epoch FROM clock_timestamp() - max(enqueued_at))::integer,'
                || ' extract(epoch FROM clock_timestamp() - min(enqueued_at))::integer,'
                || ' coalesce(pg_sequence_last_value(pg_get_serial_sequence($2, $3)::regclass), 0),'
                || ' clock_timestamp(),'
                || ' count(*) FILTER (WHERE vt <= clock_timestamp())'
                || ' FROM pgmq.%I',
                qtable)
                INTO result
                USING lower(queue_name), format('pgmq.%I', qtable), 'msg_id';
            RETURN result;
        END
        $fn$
    $ddl$;

    EXECUTE $ddl$
        CREATE FUNCTION pgmq.metrics_all()
        RETURNS SETOF pgmq.metrics_result
        LANGUAGE sql
        AS $fn$
            SELECT r.*
              FROM pgmq.meta m
             CROSS JOIN LATERAL pgmq.metrics(m.queue_name) r
             ORDER BY m.queue_name
        $fn$
    $ddl$;

    EXECUTE $ddl$
        CREATE FUNCTION pgmq.list_queues()
        RETURNS SETOF pgmq.queue_record
        LANGUAGE sql
        AS $fn$
            SELECT m.queue_name, m.is_partitioned, m.is_unlogged, m.created_at
              FROM pgmq.meta m
             ORDER BY m.queue_name
        $fn$
    $ddl$;
END
$install$;

CREATE SCHEMA IF NOT EXISTS tasker;

-- The LISTEN channel of a queue is the queue name itself; consumers treat a notification as a
-- hint to read now rather than at their next poll, so an empty payload is enough.
CREATE OR REPLACE FUNCTION tasker.notify_queue_insert()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM pg_notify(regexp_replace(TG_TABLE_NAME, '^q_', ''), '');
    RETURN NULL;
END
$fn$;

-- Creates a queue (idempotently) and attaches the notify trigger. The advisory lock serialises
-- concurrent callers for one queue, because CREATE TABLE IF NOT EXISTS is not safe under races.
CREATE OR REPLACE FUNCTION tasker.ensure_queue(queue_name text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    qtable text;
BEGIN
    IF queue_name IS NULL OR queue_name !~ '^[a-z][a-z0-9_]{0,46}$' THEN
        RAISE EXCEPTION 'invalid queue name %', quote_nullable(queue_name)
            USING ERRCODE = '22023',
                  HINT = 'Queue names match ^[a-z][a-z0-9_]{0,46}$.';
    END IF;
    qtable := 'q_' || queue_name;

    PERFORM pg_advisory_xact_lock(hashtext('tasker.ensure_queue:' || queue_name));
    PERFORM pgmq."create"(queue_name);

    IF NOT EXISTS (
        SELECT 1
          FROM pg_trigger t
          JOIN pg_class c ON c.oid = t.tgrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'pgmq'
           AND c.relname = qtable
           AND t.tgname = 'tasker_notify') THEN
        EXECUTE format(
            'CREATE TRIGGER tasker_notify AFTER INSERT ON pgmq.%I'
            || ' FOR EACH STATEMENT EXECUTE FUNCTION tasker.notify_queue_insert()',
            qtable);
    END IF;
END
$fn$;

SELECT tasker.ensure_queue('orchestration_step_results');

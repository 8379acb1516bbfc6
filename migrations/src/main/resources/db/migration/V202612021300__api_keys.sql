-- API keys of the task API (issue 13, docs/decisions/013-authentication.md).
--
-- A key is "tk_<prefix>_<secret>". Only the prefix (for the lookup) and an HMAC-SHA-256 of the
-- whole key under the server-side secret tasker.auth.key-secret are stored: a dump of this table
-- gives no usable key, and verification costs one HMAC, not a slow password hash.
--
--   roles       what the key may do: tasks.read, tasks.write, tasks.operate, templates.write, admin.
--   namespaces  the namespaces the key is limited to; NULL = every namespace.
--   last_used_at written by the orchestrator at most once a minute per key.
--   revoked_at  set by a revocation; a revoked key is refused at once on the replica that revoked
--               it and, through the NOTIFY below, within the cache TTL at worst on every other one.
CREATE TABLE tasker.api_keys (
    api_key_uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    prefix text NOT NULL UNIQUE,
    key_hmac bytea NOT NULL,
    roles text[] NOT NULL,
    namespaces text[],
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz,
    CONSTRAINT api_keys_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    CONSTRAINT api_keys_roles_known CHECK (
        roles <@ ARRAY['tasks.read', 'tasks.write', 'tasks.operate', 'templates.write', 'admin']::text[])
);

-- Names identify keys in the audit trail: unique among the keys that are not revoked, so that a
-- rotated key can take over its predecessor's name once that one is revoked.
CREATE UNIQUE INDEX api_keys_active_name ON tasker.api_keys (name) WHERE revoked_at IS NULL;

-- Every change of a key (creation, revocation, expiry or scope change, deletion) tells every
-- orchestrator to drop the prefix from its cache of verified (and of unknown) keys.
CREATE FUNCTION tasker.notify_api_key_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_notify('tasker_api_keys', CASE WHEN TG_OP = 'INSERT' THEN NEW.prefix ELSE OLD.prefix END);
    RETURN NULL;
END
$fn$;

CREATE TRIGGER api_keys_changed
    AFTER INSERT OR UPDATE OF revoked_at, expires_at, roles, namespaces OR DELETE ON tasker.api_keys
    FOR EACH ROW EXECUTE FUNCTION tasker.notify_api_key_change();

REVOKE ALL ON tasker.api_keys FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION tasker.notify_api_key_change() FROM PUBLIC;

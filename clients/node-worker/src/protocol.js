// The worker protocol (docs/worker-protocol.md) without I/O: the SQL a worker sends, how it reads
// a queue message and a claim answer, the step context a handler gets and the report it stores.

/** The queue message format this client reads and the newest it knows. */
export const MESSAGE_FORMAT = 1;

/** The queue of a namespace: `worker_<namespace>_queue`. */
export function workerQueue(namespace) {
  if (typeof namespace !== 'string' || !/^[a-z][a-z0-9_]{0,28}$/.test(namespace)) {
    throw new TypeError(`invalid namespace ${JSON.stringify(namespace)}: ^[a-z][a-z0-9_]{0,28}$`);
  }
  return `worker_${namespace}_queue`;
}

/** Every statement a worker sends, with its arguments in order. */
export const SQL = Object.freeze({
  // $1 queue: creates the queue when a template of its namespace is not registered yet.
  ensureQueue: 'SELECT tasker.ensure_queue($1::text)',
  // $1 queue, $2 visibility timeout in seconds, $3 at most this many messages.
  read: `SELECT msg_id::text AS msg_id, read_ct, message
           FROM pgmq.read($1::text, $2::integer, $3::integer)
          ORDER BY msg_id`,
  // $1 step, $2 worker id, $3 lease grace seconds, $4 queue, $5 message id.
  claim: 'SELECT tasker.claim_step($1::uuid, $2::text, $3::integer, $4::text, $5::bigint)::text AS claim',
  // $1 step, $2 claim token, $3 lease seconds: false when the claim was lost.
  heartbeat: 'SELECT tasker.heartbeat_step($1::uuid, $2::uuid, $3::integer) AS kept',
  // $1 step, $2 claim token, $3 outcome, $4 result (JSON text), $5 error (JSON text).
  report: `SELECT tasker.report_step_result($1::uuid, $2::uuid, $3::text,
                                            $4::text::jsonb, $5::text::jsonb) AS verdict`,
  // $1 queue, $2 message id: drops the message of a step that is not claimable any more.
  delete: 'SELECT pgmq.delete($1::text, $2::bigint) AS deleted',
  // $1 queue, $2 message id, $3 reason: archives the message and fails the step it names.
  archivePoison: 'SELECT tasker.archive_poison_message($1::text, $2::bigint, $3::text)',
  // Presence (the worker registry): $1 worker id, $2 host, $3 namespaces, $4 handler names,
  // $5 library version, $6 process start, $7 live seconds. Answers the other live workers of the
  // same namespaces whose handler set differs.
  presence: `SELECT worker_id, host, namespaces, handlers, sdk_version
               FROM tasker.worker_heartbeat($1::text, $2::text, $3::text[], $4::text[], $5::text,
                                            $6::timestamptz, $7::integer)`,
  // $1 worker id: marks this worker stopped on a graceful shutdown.
  stopped: 'SELECT tasker.worker_stopped($1::text) AS stopped',
});

/** The version this library records in the worker registry (package.json's). */
export const LIBRARY_VERSION = 'node-worker 0.1.0';

const HANDLER_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

/** A handler name as templates write it: dotted, at most 255 characters. */
export function isHandlerName(name) {
  return typeof name === 'string' && name.length <= 255 && HANDLER_NAME.test(name);
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isUuid(value) {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * Reads one queue message, as the JVM worker does:
 * - `{kind: 'unsupported', version}` for a format newer than {@link MESSAGE_FORMAT}: leave it;
 * - `{kind: 'poison', reason}` for a message that is not an object, has an invalid
 *   `format_version` or no valid `step_uuid`: archive it;
 * - `{kind: 'step', message, version}` otherwise (a message without `format_version` is format 0).
 */
export function decodeStepMessage(message) {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    return { kind: 'poison', reason: 'message is not a JSON object' };
  }
  const version = message.format_version;
  if (version !== undefined && version !== null) {
    if (!Number.isSafeInteger(version) || version > 2147483647 || version < -2147483648) {
      return { kind: 'poison', reason: `message has an invalid format_version: ${JSON.stringify(version)}` };
    }
    if (version > MESSAGE_FORMAT) {
      return { kind: 'unsupported', version };
    }
  }
  if (!isUuid(message.step_uuid)) {
    return { kind: 'poison', reason: 'message has no valid step_uuid' };
  }
  return { kind: 'step', message, version: version ?? 0 };
}

/** The log line for a message of a newer format (once per message). */
export function unsupportedWarning(queue, msgId, version) {
  return `unsupported_message_format: queue=${queue} msg_id=${msgId} format_version=${version}`
    + ` (this release reads up to ${MESSAGE_FORMAT}; leaving it for a newer worker)`;
}

const CONTEXT_FIELDS = [
  'task_uuid', 'step_uuid', 'correlation_id', 'namespace', 'task_name', 'task_version',
  'context', 'step_name', 'config', 'inputs', 'attempt', 'max_attempts', 'parents',
  'dependency_results',
];

/**
 * The step context (step-context.schema.json) of a `claimed` answer; `deadline` is the start of
 * the handler plus the step's timeout.
 */
export function stepContext(claim, deadline) {
  const data = {};
  for (const field of CONTEXT_FIELDS) {
    data[field] = claim[field];
  }
  if (deadline) {
    data.deadline = deadline.toISOString();
  }
  return data;
}

/** A failure the step may recover from: the orchestrator retries it (after `retryAfterMs`). */
export class RetryableError extends Error {
  constructor(message, { type = 'retryable', retryAfterMs, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RetryableError';
    this.type = type;
    this.retryAfterMs = retryAfterMs;
  }
}

/** A failure no retry can fix: the step fails at once. */
export class PermanentError extends Error {
  constructor(message, { type = 'permanent', cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PermanentError';
    this.type = type;
  }
}

export const ErrorTypes = Object.freeze({
  TIMEOUT: 'timeout',
  UNKNOWN_HANDLER: 'unknown_handler',
  NULL_RESULT: 'null_result',
  INVALID_RESULT: 'invalid_result',
  INVALID_RETRY_AFTER: 'invalid_retry_after',
  RESULT_TOO_LARGE: 'result_too_large',
  REJECTED_BY_DATABASE: 'result_rejected_by_database',
  SHUTTING_DOWN: 'worker_shutting_down',
});

/**
 * A report ready for `tasker.report_step_result`: `{outcome, result, error, refusal?}`, where
 * `result` and `error` are JSON texts or null. `refusal` says why the handler's own outcome was
 * replaced by a permanent failure (it could not be stored).
 */
export function successReport(value, handler, maxResultBytes) {
  if (value === undefined) {
    return invalid(`handler ${handler} returned no result`, ErrorTypes.NULL_RESULT, handler);
  }
  let json;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    return invalid(`the handler's result cannot be written as JSON: ${clean(e.message)}`,
      ErrorTypes.INVALID_RESULT, handler);
  }
  if (json === undefined) {
    return invalid(`the handler's result (${typeof value}) cannot be written as JSON`,
      ErrorTypes.INVALID_RESULT, handler);
  }
  if (json.includes('\\u0000')) {
    const at = nulPath(value, '$');
    if (at) {
      return invalid(`the handler's result cannot be stored: ${at} contains a NUL character`
        + ' (\\u0000), which PostgreSQL jsonb refuses', ErrorTypes.INVALID_RESULT, handler);
    }
  }
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxResultBytes) {
    return invalid(`the handler's result is ${bytes} bytes of JSON, over the limit of`
      + ` ${maxResultBytes} bytes (maxResultBytes)`, ErrorTypes.RESULT_TOO_LARGE, handler);
  }
  return { outcome: 'success', result: json, error: null };
}

/** The report of a handler's thrown error (any error that is not a PermanentError retries). */
export function failureReport(err, handler) {
  const permanent = err instanceof PermanentError;
  const message = err instanceof Error ? err.message : String(err);
  const type = err instanceof RetryableError || permanent
    ? err.type
    : (err instanceof Error ? err.name : 'error');
  const refused = nulIn(message, 'message') ?? nulIn(type, 'type');
  if (refused) {
    return invalid(refused, ErrorTypes.INVALID_RESULT, handler);
  }
  let retryAfterMs;
  if (!permanent && err instanceof RetryableError && err.retryAfterMs != null) {
    const ms = err.retryAfterMs;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      return invalid(`the handler asked to retry after ${String(ms)} ms, not a finite delay of 0`
        + ' or more', ErrorTypes.INVALID_RETRY_AFTER, handler);
    }
    retryAfterMs = Math.round(ms);
    if (!Number.isSafeInteger(retryAfterMs)) {
      return invalid(`the handler asked to retry after ${String(ms)} ms, more than`
        + ` ${Number.MAX_SAFE_INTEGER} ms`, ErrorTypes.INVALID_RETRY_AFTER, handler);
    }
  }
  return failure(permanent ? 'permanent_failure' : 'retryable_failure',
    errorOf(message, type, handler, retryAfterMs));
}

/** A retryable failure the worker itself decides (timeout, shutting down). */
export function retryableReport(message, type, handler) {
  return failure('retryable_failure', errorOf(message, type, handler));
}

/** The permanent failure stored when the database refused the handler's outcome. */
export function refusedByDatabase(databaseMessage, handler) {
  return invalid(`the database refused the handler's outcome: ${clean(databaseMessage)}`,
    ErrorTypes.REJECTED_BY_DATABASE, handler);
}

/** A permanent failure decided by the worker (an unknown handler). */
export function permanentReport(message, type, handler) {
  return failure('permanent_failure', errorOf(message, type, handler));
}

function invalid(message, type, handler) {
  return { ...failure('permanent_failure', errorOf(message, type, handler)), refusal: `${type}: ${message}` };
}

function failure(outcome, error) {
  return { outcome, result: null, error: JSON.stringify(error) };
}

function errorOf(message, type, handler, retryAfterMs) {
  const error = { message: message ?? '', type: type || 'error', handler };
  if (retryAfterMs !== undefined) {
    error.retry_after_ms = retryAfterMs;
  }
  return error;
}

function nulIn(text, what) {
  const at = typeof text === 'string' ? text.indexOf('\0') : -1;
  return at < 0 ? null : `the handler's error ${what} contains a NUL character (\\u0000) at index`
    + ` ${at}, which PostgreSQL jsonb refuses`;
}

/** The JSON path of the first string or key holding a NUL character, or null. */
function nulPath(value, path) {
  if (typeof value === 'string') {
    return value.includes('\0') ? path : null;
  }
  if (value === null || typeof value !== 'object') {
    return null;
  }
  if (typeof value.toJSON === 'function') {
    return nulPath(value.toJSON(), path);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = nulPath(value[i], `${path}[${i}]`);
      if (at) return at;
    }
    return null;
  }
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\0')) return `${path} (a key)`;
    const at = nulPath(child, `${path}.${key}`);
    if (at) return at;
  }
  return null;
}

function clean(text) {
  return String(text ?? '').replaceAll('\0', '\\u0000');
}

/** SQLSTATE class 22 (data exception): the values are wrong, a retry cannot pass. */
export function isDataException(err) {
  for (let e = err; e; e = e.cause) {
    if (typeof e.code === 'string' && e.code.length === 5 && e.code.startsWith('22')) {
      return true;
    }
  }
  return false;
}

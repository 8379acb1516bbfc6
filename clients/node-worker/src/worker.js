// A worker for the namespaces it is given: one polling loop per namespace queue, shared execution
// slots, claim -> run -> report for every message, as the JVM worker (worker-service) does.
import os from 'node:os';
import pg from 'pg';
import {
  ErrorTypes, LIBRARY_VERSION, SQL, decodeStepMessage, isHandlerName, failureReport, isDataException, permanentReport,
  refusedByDatabase, retryableReport, stepContext, successReport, unsupportedWarning, workerQueue,
} from './protocol.js';

const DEFAULTS = Object.freeze({
  maxConcurrentSteps: 16,
  batchSize: 10,
  readVisibilitySeconds: 30,
  leaseGraceSeconds: 10,
  minPollIntervalMs: 50,
  maxPollIntervalMs: 2000,
  maxReadCount: 10,
  maxResultBytes: 1048576,
  shutdownDrainMs: 30000,
  reportRetries: 5,
  presenceIntervalMs: 5000,
  presenceLiveSeconds: 30,
});

const UNSUPPORTED_REMEMBERED = 10000;

/** Host name and process id: unique among the workers of one machine. */
export function defaultWorkerId() {
  return `${os.hostname()}-${process.pid}`;
}

/** Log lines as JSON on stderr; debug only when TASKER_WORKER_DEBUG is set. */
export const jsonLogger = Object.freeze(Object.fromEntries(
  ['debug', 'info', 'warn', 'error'].map((level) => [level, (message, fields = {}) => {
    if (level === 'debug' && !process.env.TASKER_WORKER_DEBUG) return;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
  }]),
));

/**
 * Runs the steps of some namespaces with the handlers it is given.
 *
 * Options: `namespaces` (array), `handlers` (object or Map: handler name -> async (ctx) => result),
 * `pool` (a pg.Pool or anything with `query(text, values)`) or `connectionString`, and the
 * settings of {@link DEFAULTS} (documented in clients/node-worker/README.md), `workerId`,
 * `logger`, `observer` (callbacks `message`, `claim`, `report` receiving the protocol documents).
 */
export class Worker {
  #pool;
  #ownsPool;
  #handlers;
  #queues;
  #settings;
  #log;
  #observer;
  #inUse = 0;
  #stopping = false;
  #loops = [];
  #wakers = new Set();
  #unsupportedSeen = new Set();
  #listen;
  #listener;
  #listening = false;
  #stopListening = () => {};
  #presence;
  #presenceTimer;
  #startedAt = new Date();
  #peersWarned = new Set();

  constructor(options = {}) {
    const {
      namespaces, handlers, pool, connectionString, workerId, logger, observer, listen = true, presence = true,
    } = options;
    if (!Array.isArray(namespaces) || namespaces.length === 0) {
      throw new TypeError('namespaces: give at least one namespace to serve');
    }
    this.#queues = namespaces.map((ns) => ({ namespace: ns, queue: workerQueue(ns) }));
    this.#handlers = handlers instanceof Map ? handlers : new Map(Object.entries(handlers ?? {}));
    for (const [name, fn] of this.#handlers) {
      if (typeof fn !== 'function') throw new TypeError(`handler ${name} is not a function`);
      if (!isHandlerName(name)) throw new TypeError(`handler name ${JSON.stringify(name)} is not a dotted name like node_examples.digits`);
    }
    if (!pool && !connectionString) {
      throw new TypeError('give a pool or a connectionString');
    }
    this.#settings = { ...DEFAULTS };
    for (const key of Object.keys(DEFAULTS)) {
      if (options[key] === undefined) continue;
      const value = options[key];
      if (!Number.isSafeInteger(value) || value < (key === 'reportRetries' || key === 'minPollIntervalMs' ? 0 : 1)) {
        throw new RangeError(`${key} must be a whole number of at least ${key === 'reportRetries' || key === 'minPollIntervalMs' ? 0 : 1}, got ${value}`);
      }
      this.#settings[key] = value;
    }
    if (this.#settings.maxPollIntervalMs < this.#settings.minPollIntervalMs) {
      throw new RangeError('maxPollIntervalMs must not be below minPollIntervalMs');
    }
    this.#log = logger ?? jsonLogger;
    this.#ownsPool = !pool;
    this.#pool = pool ?? new pg.Pool({ connectionString, max: Math.min(this.#settings.maxConcurrentSteps + this.#queues.length, 20) });
    if (this.#ownsPool) {
      this.#pool.on('error', (e) => this.#log.warn('idle database connection failed', { error: e.message }));
    }
    this.workerId = workerId ?? defaultWorkerId();
    this.#observer = observer ?? {};
    // LISTEN needs a dedicated connection: a pool that cannot lend one polls only.
    this.#listen = listen !== false && typeof this.#pool.connect === 'function';
    this.#presence = presence === false ? null : { beats: 0, lastBeatAt: null, error: null, stopped: null };
  }

  /**
   * The presence heartbeat's state: `{beats, lastBeatAt, error, stopped}` (`error` is the last
   * failure's message, null after a successful beat), or null when presence is off.
   */
  get presence() {
    return this.#presence && { ...this.#presence };
  }

  /** True while the LISTEN connection is up (polling goes on either way). */
  get listening() {
    return this.#listening;
  }

  /** Steps claimed or being read and not finished yet (their handlers may still be running). */
  get inFlight() {
    return this.#inUse;
  }

  get settings() {
    return { ...this.#settings };
  }

  /** Creates the queues if needed and starts one polling loop per namespace. */
  async start() {
    if (this.#presence) {
      await this.#beat();
      this.#presenceTimer = setInterval(() => this.#beat(), this.#settings.presenceIntervalMs);
    }
    for (const { queue } of this.#queues) {
      try {
        await this.#pool.query(SQL.ensureQueue, [queue]);
      } catch (e) {
        this.#log.warn(`cannot create queue ${queue} yet; polling retries`, { queue, error: e.message });
      }
    }
    this.#loops = this.#queues.map(({ queue, namespace }) => this.#loop(queue, namespace));
    if (this.#listen) {
      this.#listener = this.#listenLoop();
    }
    this.#log.info(`worker ${this.workerId} serving ${this.#queues.map((q) => q.queue).join(',')}`, {
      worker_id: this.workerId, max_concurrent_steps: this.#settings.maxConcurrentSteps,
      handlers: [...this.#handlers.keys()],
    });
  }

  /**
   * Stops reading, then waits for in-flight steps up to `shutdownDrainMs`; steps still running
   * after that return to the queue when their leases expire. Resolves with the number abandoned.
   */
  async stop() {
    if (this.#stopping) {
      throw new Error('stop() was called already');
    }
    this.#stopping = true;
    this.#wakeAll();
    this.#stopListening();
    await Promise.allSettled([...this.#loops, this.#listener]);
    const deadline = Date.now() + this.#settings.shutdownDrainMs;
    while (this.#inUse > 0 && Date.now() < deadline) {
      await sleep(50);
    }
    const abandoned = this.#inUse;
    if (abandoned > 0) {
      this.#log.warn(`shutdown: ${abandoned} step(s) still running after ${this.#settings.shutdownDrainMs} ms;`
        + ' their leases will return them to the queue');
    } else {
      this.#log.info('shutdown: all in-flight steps finished');
    }
    if (this.#presence) {
      clearInterval(this.#presenceTimer);
      try {
        const { rows } = await this.#pool.query(SQL.stopped, [this.workerId]);
        this.#presence.stopped = rows[0].stopped === true;
      } catch (e) {
        this.#log.warn('could not mark this worker stopped in the registry; it is gone after the live timeout',
          { worker_id: this.workerId, error: e.message });
      }
    }
    if (this.#ownsPool) {
      await this.#pool.end();
    }
    return abandoned;
  }

  /**
   * One presence heartbeat (tasker.worker_heartbeat): records or refreshes this worker's row and
   * warns, once per peer and handler set, about live workers of the same namespaces whose handlers
   * differ. A failure is logged and the next interval tries again.
   */
  async #beat() {
    try {
      const { rows } = await this.#pool.query(SQL.presence, [
        this.workerId, os.hostname(), this.#queues.map((q) => q.namespace), [...this.#handlers.keys()],
        LIBRARY_VERSION, this.#startedAt, this.#settings.presenceLiveSeconds,
      ]);
      this.#presence.beats += 1;
      this.#presence.lastBeatAt = new Date();
      this.#presence.error = null;
      for (const peer of rows) {
        const key = `${peer.worker_id}\n${peer.handlers.join(',')}`;
        if (this.#peersWarned.has(key)) continue;
        this.#peersWarned.add(key);
        this.#log.warn(`worker ${peer.worker_id} on ${peer.host} also serves ${peer.namespaces.join(',')} with handlers`
          + ` [${peer.handlers.join(', ')}], this worker ${this.workerId} with [${[...this.#handlers.keys()].sort().join(', ')}]:`
          + ' a step goes to whichever reads it first, and one without the handler fails it as unknown_handler',
        { worker_id: this.workerId, peer: peer.worker_id });
      }
    } catch (e) {
      if (this.#presence.error === null) {
        this.#log.warn('presence heartbeat failed; trying again at the next interval', { error: e.message });
      }
      this.#presence.error = e.message;
    }
  }

  /**
   * LISTENs on every served queue's channel (the queue name: each send notifies it) and wakes the
   * polling loops on a notification; reconnects after a lost connection, waking the loops then too
   * since messages sent meanwhile notified nobody.
   */
  async #listenLoop() {
    while (!this.#stopping) {
      let client;
      try {
        client = await this.#pool.connect();
        const lost = new Promise((resolve) => {
          // Kept after release too: an error event without a listener would crash the process.
          client.on('error', resolve);
          client.once('end', resolve);
          this.#stopListening = resolve;
        });
        client.on('notification', () => this.#wakeAll());
        for (const { queue } of this.#queues) {
          await client.query(`LISTEN "${queue}"`);
        }
        this.#listening = true;
        this.#wakeAll();
        const reason = await lost;
        if (!this.#stopping) {
          this.#log.warn('LISTEN connection lost; polling until it is back', { error: reason?.message });
        }
      } catch (e) {
        this.#log.warn('LISTEN not connected; polling until it is', { error: e.message });
      } finally {
        this.#listening = false;
        client?.removeAllListeners('notification');
        client?.release(true);
      }
      if (!this.#stopping) {
        await new Promise((resolve) => { this.#stopListening = resolve; setTimeout(resolve, 1000); });
      }
    }
  }

  async #loop(queue, namespace) {
    const { minPollIntervalMs, maxPollIntervalMs } = this.#settings;
    let delay = minPollIntervalMs;
    while (!this.#stopping) {
      let read = 0;
      try {
        read = await this.pollOnce(queue, namespace);
      } catch (e) {
        this.#log.warn(`poll of ${queue} failed`, { queue, error: e.message });
      }
      if (read > 0) {
        delay = minPollIntervalMs;
        continue;
      }
      await this.#idle(delay);
      delay = Math.min(Math.max(delay * 2, 1), maxPollIntervalMs);
    }
  }

  /**
   * One poll: reserves the free slots (at most the batch size), reads at most that many messages,
   * gives back what the read did not use and starts every message read. Resolves with the count.
   */
  async pollOnce(queue, namespace) {
    const { maxConcurrentSteps, batchSize, readVisibilitySeconds } = this.#settings;
    const reserved = Math.min(batchSize, maxConcurrentSteps - this.#inUse);
    if (this.#stopping || reserved <= 0) {
      return 0;
    }
    this.#inUse += reserved;
    let rows;
    try {
      ({ rows } = await this.#pool.query(SQL.read, [queue, readVisibilitySeconds, reserved]));
    } catch (e) {
      this.#inUse -= reserved;
      throw e;
    }
    this.#inUse -= reserved - rows.length;
    for (const row of rows) {
      this.execute(queue, namespace, row).finally(() => {
        this.#inUse -= 1;
        this.#wakeAll();
      });
    }
    return rows.length;
  }

  /**
   * Claims, runs and reports one message (`{msg_id, read_ct, message}`) for which a slot is
   * reserved. Never rejects; resolves once the report is stored and the handler has returned.
   */
  async execute(queue, namespace, row) {
    const msgId = String(row.msg_id);
    try {
      await this.#process(queue, namespace, row, msgId);
    } catch (e) {
      this.#log.warn(`step message msg_id=${msgId} of ${queue} failed in the worker; it returns after its lease`,
        { queue, msg_id: msgId, error: e.message });
    }
  }

  async #process(queue, namespace, row, msgId) {
    const decoded = decodeStepMessage(row.message);
    this.#observer.message?.(row.message, { queue, msg_id: msgId, read_ct: row.read_ct });
    if (decoded.kind === 'unsupported') {
      if (this.#firstSight(queue, msgId)) {
        this.#log.warn(unsupportedWarning(queue, msgId, decoded.version), { queue, msg_id: msgId });
      }
      return;
    }
    if (decoded.kind === 'poison' || row.read_ct > this.#settings.maxReadCount) {
      const reason = decoded.kind === 'poison'
        ? decoded.reason
        : `message read ${row.read_ct} times without a committed result`;
      return this.#poison(queue, msgId, reason);
    }
    const step = decoded.message.step_uuid;
    const { rows } = await this.#pool.query(SQL.claim,
      [step, this.workerId, this.#settings.leaseGraceSeconds, queue, msgId]);
    const claim = JSON.parse(rows[0].claim);
    this.#observer.claim?.(claim, { queue, msg_id: msgId });
    switch (claim.status) {
      case 'claimed':
        return this.#attempt(queue, namespace, msgId, claim);
      case 'busy':
        this.#log.debug(`step_uuid=${step} is held by a live lease until ${claim.lease_expires_at}; leaving msg_id=${msgId}`);
        return undefined;
      default:
        if (claim.reason === 'unknown_step') {
          return this.#poison(queue, msgId, `unknown step ${step}`);
        }
        this.#log.debug(`step_uuid=${step} not claimable (${claim.reason}); dropping msg_id=${msgId}`);
        await this.#pool.query(SQL.delete, [queue, msgId]);
        return undefined;
    }
  }

  async #poison(queue, msgId, reason) {
    this.#log.error(`poison_message: archiving msg_id=${msgId} of ${queue}: ${reason}`, { queue, msg_id: msgId });
    await this.#pool.query(SQL.archivePoison, [queue, msgId, reason]);
  }

  async #attempt(queue, namespace, msgId, claim) {
    const ids = {
      namespace, task_uuid: claim.task_uuid, step_uuid: claim.step_uuid,
      correlation_id: claim.correlation_id, attempt: claim.attempt,
    };
    const name = claim.handler;
    const handler = this.#handlers.get(name);
    if (!handler) {
      const report = permanentReport(`no handler named '${name}' is registered on this worker`,
        ErrorTypes.UNKNOWN_HANDLER, name);
      await this.#report(claim, report, name, ids);
      return;
    }
    const timeoutMs = claim.timeout_seconds * 1000;
    const started = Date.now();
    // The deadline counts from the handler's start, never earlier: it is never later than the lease.
    const deadline = new Date(started + timeoutMs);
    const cancel = new AbortController();
    const ctx = Object.freeze({
      ...stepContext(claim, deadline),
      handler: name,
      signal: cancel.signal,
      heartbeat: () => this.#heartbeat(claim, cancel, ids),
    });
    let timer;
    const ran = (async () => handler(ctx))().then((value) => ({ value }), (error) => ({ error }));
    const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs); });
    const outcome = await Promise.race([ran, timedOut]);
    clearTimeout(timer);
    let report;
    if (outcome.timedOut) {
      cancel.abort(new Error(`step timed out after ${claim.timeout_seconds} s`));
      report = retryableReport(`step timed out after ${claim.timeout_seconds} s`, ErrorTypes.TIMEOUT, name);
    } else if ('error' in outcome) {
      report = failureReport(outcome.error, name);
    } else {
      report = successReport(outcome.value, name, this.#settings.maxResultBytes);
    }
    if (report.refusal) {
      this.#log.warn(`handler ${name} gave an outcome that cannot be stored; failing the step: ${report.refusal}`, ids);
    }
    try {
      await this.#report(claim, report, name, ids);
    } finally {
      // The slot stays taken until the handler has really returned (a timed-out one may still run).
      await ran;
    }
  }

  async #heartbeat(claim, cancel, ids) {
    const { rows } = await this.#pool.query(SQL.heartbeat, [claim.step_uuid, claim.claim_token, claim.lease_seconds]);
    const kept = rows[0].kept === true;
    if (!kept) {
      this.#log.warn(`heartbeat for step_uuid=${claim.step_uuid} attempt=${claim.attempt} found the claim lost`, ids);
      cancel.abort(new Error('the claim was lost'));
    }
    return kept;
  }

  /** Stores a report: passing errors are retried; a refused one becomes a permanent failure. */
  async #report(claim, report, handlerName, ids) {
    let stored = report;
    let verdict;
    try {
      verdict = await this.#store(claim, report);
    } catch (e) {
      if (!isDataException(e)) throw e;
      this.#log.error(`result_rejected_by_database: the database refused the ${report.outcome} report`
        + ` (${e.message}); reporting a permanent failure instead`, ids);
      stored = refusedByDatabase(e.message, handlerName);
      verdict = await this.#store(claim, stored);
    }
    this.#observer.report?.({ ...stored, verdict }, { step_uuid: claim.step_uuid, claim_token: claim.claim_token });
    if (verdict === 'accepted') {
      this.#log.debug(`attempt reported ${stored.outcome}`, ids);
    } else if (verdict === 'rejected') {
      this.#log.warn(`late_result_rejected: attempt lost its claim before reporting ${stored.outcome}`, ids);
    } else {
      this.#log.info(`attempt result discarded (${verdict})`, ids);
    }
    return verdict;
  }

  async #store(claim, report) {
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows } = await this.#pool.query(SQL.report,
          [claim.step_uuid, claim.claim_token, report.outcome, report.result, report.error]);
        return rows[0].verdict;
      } catch (e) {
        if (isDataException(e) || attempt >= this.#settings.reportRetries) throw e;
        await sleep(Math.min(200 * 2 ** attempt, 2000));
      }
    }
  }

  #firstSight(queue, msgId) {
    const key = `${queue}\n${msgId}`;
    if (this.#unsupportedSeen.has(key)) return false;
    if (this.#unsupportedSeen.size >= UNSUPPORTED_REMEMBERED) {
      this.#unsupportedSeen.delete(this.#unsupportedSeen.values().next().value);
    }
    this.#unsupportedSeen.add(key);
    return true;
  }

  #idle(ms) {
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); this.#wakers.delete(done); resolve(); };
      const timer = setTimeout(done, ms);
      this.#wakers.add(done);
    });
  }

  #wakeAll() {
    for (const wake of [...this.#wakers]) wake();
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

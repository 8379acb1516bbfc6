import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { LIBRARY_VERSION, PermanentError, RetryableError, Worker } from '../src/index.js';
import { FakePool, capturingLogger } from './fakepool.js';
import { claimedAnswer, stepMessage } from './fixtures.js';
import { assertValid, resultDocument } from './schemas.js';

const QUEUE = 'worker_node_examples_queue';

function worker(pool, handlers = {}, options = {}) {
  const logger = capturingLogger();
  const w = new Worker({
    pool, namespaces: ['node_examples'], handlers, workerId: 'node-test-1', logger, ...options,
  });
  return { w, logger };
}

function row(message, msgId = 7, readCt = 1) {
  return { msg_id: String(msgId), read_ct: readCt, message };
}

function claiming(claim) {
  return { claim: [{ claim: JSON.stringify(claim) }], report: [{ verdict: 'accepted' }] };
}

function reported(pool) {
  const [step, token, outcome, result, error] = pool.named('report').at(-1).values;
  return { step, token, outcome, result, error: error === null ? null : JSON.parse(error), raw: { outcome, result, error } };
}

describe('worker', () => {
  test('claims with worker id, lease grace, queue and msg_id, runs the handler and reports success with the claim token', async () => {
    const claim = claimedAnswer();
    const pool = new FakePool(claiming(claim));
    let seen;
    const { w } = worker(pool, {
      'node_examples.even_sum': async (ctx) => {
        seen = ctx;
        return ctx.dependency_results.digits.sum * 2;
      },
    }, { leaseGraceSeconds: 7 });
    const message = stepMessage({ step_uuid: claim.step_uuid });
    await w.execute(QUEUE, 'node_examples', row(message));
    assert.deepEqual(pool.named('claim')[0].values, [claim.step_uuid, 'node-test-1', 7, QUEUE, '7']);
    const r = reported(pool);
    assert.deepEqual([r.step, r.token, r.outcome, r.result, r.error], [claim.step_uuid, claim.claim_token, 'success', '18', null]);
    assertValid('step-result', resultDocument(r.raw));
    assert.equal(seen.attempt, 1);
    assert.deepEqual(seen.parents, ['digits']);
    assert.deepEqual(seen.context, { even_number: 6 });
    assert.equal(seen.handler, 'node_examples.even_sum');
    assert.ok(Date.parse(seen.deadline) - Date.now() <= 30000);
    assert.equal(seen.signal.aborted, false);
  });

  test('busy: the message is left (no delete, no report)', async () => {
    const pool = new FakePool({ claim: [{ claim: JSON.stringify({ status: 'busy', lease_expires_at: '2026-12-02T10:00:00Z' }) }] });
    const { w } = worker(pool);
    await w.execute(QUEUE, 'node_examples', row(stepMessage()));
    assert.deepEqual(pool.calls.map((c) => c.name), ['claim']);
  });

  test('not_claimable: the message is deleted; unknown_step is archived as poison', async () => {
    const pool = new FakePool({ claim: [{ claim: JSON.stringify({ status: 'not_claimable', reason: 'complete' }) }] });
    const { w } = worker(pool);
    await w.execute(QUEUE, 'node_examples', row(stepMessage(), 9));
    assert.deepEqual(pool.named('delete')[0].values, [QUEUE, '9']);

    const message = stepMessage();
    const unknown = new FakePool({ claim: [{ claim: JSON.stringify({ status: 'not_claimable', reason: 'unknown_step' }) }] });
    const { w: w2, logger } = worker(unknown);
    await w2.execute(QUEUE, 'node_examples', row(message, 10));
    assert.deepEqual(unknown.named('archivePoison')[0].values, [QUEUE, '10', `unknown step ${message.step_uuid}`]);
    assert.match(logger.lines[0].message, /^poison_message: archiving msg_id=10/);
  });

  test('poison: a malformed message or one read more than maxReadCount times is archived without a claim', async () => {
    const pool = new FakePool({});
    const { w } = worker(pool, {}, { maxReadCount: 3 });
    await w.execute(QUEUE, 'node_examples', row([1, 2], 1));
    await w.execute(QUEUE, 'node_examples', row(stepMessage({ step_uuid: 'x' }), 2));
    await w.execute(QUEUE, 'node_examples', row(stepMessage(), 3, 3)); // at the limit: claimed
    await w.execute(QUEUE, 'node_examples', row(stepMessage(), 4, 4)); // over it: poison
    assert.deepEqual(pool.named('archivePoison').map((c) => c.values), [
      [QUEUE, '1', 'message is not a JSON object'],
      [QUEUE, '2', 'message has no valid step_uuid'],
      [QUEUE, '4', 'message read 4 times without a committed result'],
    ]);
    assert.equal(pool.named('claim').length, 1);
  });

  test('a newer format is left in the queue and logged once per message', async () => {
    const pool = new FakePool({});
    const { w, logger } = worker(pool);
    const newer = stepMessage({ format_version: 2 });
    await w.execute(QUEUE, 'node_examples', row(newer, 5));
    await w.execute(QUEUE, 'node_examples', row(newer, 5));
    assert.deepEqual(pool.calls, []);
    const warnings = logger.lines.filter((l) => l.message.startsWith('unsupported_message_format'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /queue=worker_node_examples_queue msg_id=5 format_version=2/);
  });

  test('retryable with Retry-After, permanent, a thrown plain error and an unknown handler', async () => {
    const cases = [
      [async () => { throw new RetryableError('slow down', { type: 'rate_limited', retryAfterMs: 2500 }); },
        'retryable_failure', { message: 'slow down', type: 'rate_limited', handler: 'node_examples.even_sum', retry_after_ms: 2500 }],
      [async () => { throw new PermanentError('bad input', { type: 'invalid_input' }); },
        'permanent_failure', { message: 'bad input', type: 'invalid_input', handler: 'node_examples.even_sum' }],
      [() => { throw new RangeError('sync throw'); },
        'retryable_failure', { message: 'sync throw', type: 'RangeError', handler: 'node_examples.even_sum' }],
      [async () => undefined,
        'permanent_failure', { message: 'handler node_examples.even_sum returned no result', type: 'null_result', handler: 'node_examples.even_sum' }],
    ];
    for (const [handler, outcome, error] of cases) {
      const pool = new FakePool(claiming(claimedAnswer()));
      const { w } = worker(pool, { 'node_examples.even_sum': handler });
      await w.execute(QUEUE, 'node_examples', row(stepMessage()));
      const r = reported(pool);
      assert.equal(r.outcome, outcome);
      assert.deepEqual(r.error, error);
      assertValid('step-result', resultDocument(r.raw));
    }
    const pool = new FakePool(claiming(claimedAnswer({ handler: 'node_examples.missing' })));
    const { w } = worker(pool, {});
    await w.execute(QUEUE, 'node_examples', row(stepMessage()));
    assert.deepEqual(reported(pool).error, {
      message: "no handler named 'node_examples.missing' is registered on this worker",
      type: 'unknown_handler', handler: 'node_examples.missing',
    });
  });

  test('a handler past timeout_seconds is reported as a retryable timeout and its signal aborted; the slot is held until it returns', async () => {
    const pool = new FakePool(claiming(claimedAnswer({ timeout_seconds: 1 })));
    let signal;
    let release;
    const returned = new Promise((r) => { release = r; });
    const { w } = worker(pool, {
      'node_examples.even_sum': async (ctx) => { signal = ctx.signal; await returned; return 1; },
    });
    const done = w.execute(QUEUE, 'node_examples', row(stepMessage()));
    // bounded polling for the report
    for (let i = 0; i < 100 && pool.named('report').length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const r = reported(pool);
    assert.equal(r.outcome, 'retryable_failure');
    assert.deepEqual(r.error, { message: 'step timed out after 1 s', type: 'timeout', handler: 'node_examples.even_sum' });
    assert.equal(signal.aborted, true);
    let finished = false;
    done.then(() => { finished = true; });
    await new Promise((r) => setImmediate(r));
    assert.equal(finished, false, 'execute waits for the handler to really return');
    release();
    await done;
    assert.equal(pool.named('report').length, 1, 'the late value is not reported');
  });

  test('heartbeat extends the lease with the claim token and lease seconds; a lost claim aborts the signal', async () => {
    const claim = claimedAnswer({ lease_seconds: 40 });
    const pool = new FakePool({ ...claiming(claim), heartbeat: (v, n) => [{ kept: n === 1 }] });
    let answers;
    let signal;
    const { w } = worker(pool, {
      'node_examples.even_sum': async (ctx) => {
        signal = ctx.signal;
        answers = [await ctx.heartbeat(), ctx.signal.aborted, await ctx.heartbeat()];
        return 'done';
      },
    });
    await w.execute(QUEUE, 'node_examples', row(stepMessage()));
    assert.deepEqual(pool.named('heartbeat')[0].values, [claim.step_uuid, claim.claim_token, 40]);
    assert.deepEqual(answers, [true, false, false]);
    assert.equal(signal.aborted, true);
  });

  test('a report failing on the connection is retried; a data exception is replaced by a permanent failure', async () => {
    const flaky = new FakePool({
      ...claiming(claimedAnswer()),
      report: (v, n) => { if (n < 3) throw Object.assign(new Error('Connection terminated'), { code: '57P01' }); return [{ verdict: 'accepted' }]; },
    });
    const { w } = worker(flaky, { 'node_examples.even_sum': async () => 1 });
    await w.execute(QUEUE, 'node_examples', row(stepMessage()));
    assert.equal(flaky.named('report').length, 3);
    assert.equal(reported(flaky).outcome, 'success');

    const refused = new FakePool({
      ...claiming(claimedAnswer()),
      report: (v, n) => { if (n === 1) throw Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }); return [{ verdict: 'accepted' }]; },
    });
    const { w: w2 } = worker(refused, { 'node_examples.even_sum': async () => 1 });
    await w2.execute(QUEUE, 'node_examples', row(stepMessage()));
    assert.equal(refused.named('report').length, 2);
    const r = reported(refused);
    assert.equal(r.outcome, 'permanent_failure');
    assert.equal(r.error.type, 'result_rejected_by_database');
    assert.match(r.error.message, /unsupported Unicode escape sequence/);
  });

  test('a poll reads at most the free slots (and the batch size) and frees what it did not use', async () => {
    let hold;
    const held = new Promise((r) => { hold = r; });
    const pool = new FakePool({
      read: (values) => Array.from({ length: Math.min(values[2], 2) }, (_, i) => row(stepMessage(), i + 1)),
      claim: () => [{ claim: JSON.stringify(claimedAnswer()) }],
      report: [{ verdict: 'accepted' }],
    });
    const { w } = worker(pool, { 'node_examples.even_sum': async () => { await held; return 1; } },
      { maxConcurrentSteps: 3, batchSize: 10 });
    assert.equal(await w.pollOnce(QUEUE, 'node_examples'), 2);
    assert.deepEqual(pool.named('read')[0].values, [QUEUE, 30, 3]);
    assert.equal(w.inFlight, 2);
    assert.equal(await w.pollOnce(QUEUE, 'node_examples'), 1);
    assert.deepEqual(pool.named('read')[1].values, [QUEUE, 30, 1]);
    assert.equal(await w.pollOnce(QUEUE, 'node_examples'), 0, 'no free slot: no read');
    assert.equal(pool.named('read').length, 2);
    hold();
    for (let i = 0; i < 100 && w.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(w.inFlight, 0);
    assert.equal(pool.named('report').length, 3);
  });

  test('stop finishes the in-flight step, then reads no more', async () => {
    let hold;
    const held = new Promise((r) => { hold = r; });
    let served = 0;
    const pool = new FakePool({
      ensureQueue: [],
      read: () => (served++ === 0 ? [row(stepMessage(), 1)] : []),
      claim: () => [{ claim: JSON.stringify(claimedAnswer()) }],
      report: [{ verdict: 'accepted' }],
    });
    const { w } = worker(pool, { 'node_examples.even_sum': async () => { await held; return 'late but fine'; } },
      { minPollIntervalMs: 5, maxPollIntervalMs: 20 });
    await w.start();
    assert.deepEqual(pool.named('ensureQueue')[0].values, [QUEUE]);
    for (let i = 0; i < 100 && w.inFlight === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const stopped = w.stop();
    setTimeout(hold, 100);
    assert.equal(await stopped, 0);
    assert.equal(reported(pool).result, '"late but fine"');
    const reads = pool.named('read').length;
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(pool.named('read').length, reads);
    await assert.rejects(w.stop(), /stop\(\) was called already/);
  });

  test('a send notification on the queue channel wakes an idle loop at once; stop releases the LISTEN connection', async () => {
    const pool = new FakePool({ ensureQueue: [], read: [] }).withListener();
    const { w } = worker(pool, {}, { minPollIntervalMs: 60000, maxPollIntervalMs: 60000 });
    await w.start();
    for (let i = 0; i < 100 && !w.listening; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(w.listening, true);
    assert.deepEqual(pool.listener.listens, ['LISTEN "worker_node_examples_queue"']);
    // Idle now: the next poll would be a minute away without a notification.
    for (let i = 0; i < 100 && pool.named('read').length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const reads = pool.named('read').length;
    pool.listener.emit('notification', { channel: 'worker_node_examples_queue', payload: '' });
    for (let i = 0; i < 100 && pool.named('read').length === reads; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(pool.named('read').length, reads + 1);
    await w.stop();
    assert.equal(pool.listener.released, true);
    assert.equal(w.listening, false);
  });

  test('a lost LISTEN connection is reconnected', async () => {
    const pool = new FakePool({ ensureQueue: [], read: [] }).withListener();
    const { w, logger } = worker(pool, {}, { minPollIntervalMs: 10, maxPollIntervalMs: 20 });
    await w.start();
    for (let i = 0; i < 100 && !w.listening; i++) await new Promise((r) => setTimeout(r, 10));
    const first = pool.listener;
    first.emit('error', new Error('terminating connection due to administrator command'));
    for (let i = 0; i < 300 && (pool.listener === first || !w.listening); i++) await new Promise((r) => setTimeout(r, 10));
    assert.notEqual(pool.listener, first);
    assert.equal(first.released, true);
    assert.equal(w.listening, true);
    assert.ok(logger.lines.some((l) => l.message.startsWith('LISTEN connection lost')));
    await w.stop();
  });

  test('presence: a heartbeat at start with id, host, namespaces, handlers, version, start and live seconds; worker_stopped after the drain', async () => {
    const pool = new FakePool({ ensureQueue: [], read: [], presence: [], stopped: [{ stopped: true }] });
    const { w } = worker(pool, { 'node_examples.b': async () => 1, 'node_examples.a': async () => 2 },
      { presenceIntervalMs: 20, presenceLiveSeconds: 45, minPollIntervalMs: 10, maxPollIntervalMs: 20, listen: false });
    await w.start();
    const [id, host, namespaces, handlerNames, version, started, live] = pool.named('presence')[0].values;
    assert.deepEqual([id, host, namespaces, handlerNames, version, live],
      ['node-test-1', os.hostname(), ['node_examples'], ['node_examples.b', 'node_examples.a'], LIBRARY_VERSION, 45]);
    assert.ok(started instanceof Date && started.getTime() <= Date.now());
    for (let i = 0; i < 100 && pool.named('presence').length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(pool.named('presence').length >= 3, 'beats every presenceIntervalMs');
    await w.stop();
    const beats = pool.named('presence').length;
    assert.deepEqual(pool.named('stopped')[0].values, ['node-test-1']);
    assert.equal(pool.calls.at(-1).name, 'stopped', 'marked stopped last, after the drain');
    assert.deepEqual({ ...w.presence, lastBeatAt: null }, { beats, lastBeatAt: null, error: null, stopped: true });
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(pool.named('presence').length, beats, 'no beat after stop');
  });

  test('presence: a peer of the same namespace with other handlers is warned about once; a failed beat is not fatal', async () => {
    const peer = { worker_id: 'jvm-1', host: 'h2', namespaces: ['node_examples'], handlers: ['node_examples.other'], sdk_version: 'x' };
    const pool = new FakePool({
      ensureQueue: [], read: [],
      presence: (v, n) => { if (n === 3) throw new Error('connection refused'); return [peer]; },
    });
    const { w, logger } = worker(pool, { 'node_examples.a': async () => 1 },
      { presenceIntervalMs: 15, minPollIntervalMs: 10, maxPollIntervalMs: 20, listen: false });
    await w.start();
    for (let i = 0; i < 200 && pool.named('presence').length < 5; i++) await new Promise((r) => setTimeout(r, 10));
    await w.stop();
    const warnings = logger.lines.filter((l) => l.message.startsWith('worker jvm-1 on h2 also serves node_examples'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /\[node_examples\.other\], this worker node-test-1 with \[node_examples\.a\]/);
    assert.equal(logger.lines.filter((l) => l.message.startsWith('presence heartbeat failed')).length, 1);
    assert.equal(w.presence.error, null, 'the beats after the failure succeeded');
  });

  test('presence off: no registry calls', async () => {
    const pool = new FakePool({ ensureQueue: [], read: [] });
    const { w } = worker(pool, {}, { presence: false, listen: false });
    await w.start();
    await w.stop();
    assert.equal(w.presence, null);
    assert.deepEqual(pool.calls.filter((c) => c.name === 'presence' || c.name === 'stopped'), []);
  });

  test('the version recorded in the registry is package.json\'s', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    assert.equal(LIBRARY_VERSION, `node-worker ${pkg.version}`);
  });

  test('settings are checked: at least one namespace, whole numbers, handlers are functions', () => {
    const pool = new FakePool({});
    assert.throws(() => new Worker({ pool, namespaces: [] }), /at least one namespace/);
    assert.throws(() => new Worker({ pool, namespaces: ['Bad'] }), /invalid namespace/);
    assert.throws(() => new Worker({ pool, namespaces: ['a'], maxConcurrentSteps: 0 }), /maxConcurrentSteps must be a whole number of at least 1/);
    assert.throws(() => new Worker({ pool, namespaces: ['a'], batchSize: 1.5 }), /batchSize/);
    assert.throws(() => new Worker({ pool, namespaces: ['a'], handlers: { x: 1 } }), /handler x is not a function/);
    assert.throws(() => new Worker({ pool, namespaces: ['a'], handlers: { 'a..b': () => 1 } }), /not a dotted name/);
    assert.throws(() => new Worker({ namespaces: ['a'] }), /pool or a connectionString/);
    assert.equal(new Worker({ pool, namespaces: ['a'], maxConcurrentSteps: 1 }).settings.maxConcurrentSteps, 1);
  });
});

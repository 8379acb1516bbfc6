// Against a running stack (./tasker up with TASKER_LOCAL_EXTRA_WORKER_NAMESPACES=node_examples):
//   TASKER_URL          orchestrator (default http://localhost:8080)
//   TASKER_WORKER_DB_URL a worker login scoped to node_examples (./tasker up prints it)
//   TASKER_API_KEY      sent as a bearer token when set
//   TASKER_NODE_IT=1    the stack is required: a missing one FAILS the tests instead of skipping
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PermanentError, RetryableError, TaskerApi, Worker } from '../src/index.js';
import { NAMESPACE, handlers } from '../example/handlers.js';
import { polyglot, registerTemplates } from '../example/polyglot.js';
import { assertValid, resultDocument } from './schemas.js';

const required = process.env.TASKER_NODE_IT === '1';
const apiUrl = process.env.TASKER_URL ?? 'http://localhost:8080';
const dbUrl = process.env.TASKER_WORKER_DB_URL;

async function stackProblem() {
  if (!dbUrl) return 'TASKER_WORKER_DB_URL is not set';
  try {
    // Any HTTP answer will do (health may be on a management port, the API may want a key).
    await fetch(`${apiUrl}/v1/templates`, { signal: AbortSignal.timeout(5000) });
  } catch (e) {
    return `no orchestrator at ${apiUrl}: ${e.cause?.message ?? e.message}`;
  }
  return null;
}

const problem = await stackProblem();
const skip = !required && problem ? `no stack (${problem}); TASKER_NODE_IT=1 makes this a failure` : false;

// Handlers for the failure paths, in the Node namespace.
const testHandlers = {
  'node_examples.test_flaky': async (ctx) => {
    if (ctx.attempt === 1) {
      throw new RetryableError('not yet', { type: 'not_ready', retryAfterMs: 200 });
    }
    return { attempt: ctx.attempt };
  },
  'node_examples.test_reject': async () => {
    throw new PermanentError('card declined', { type: 'declined' });
  },
};

const failurePaths = {
  namespace: NAMESPACE,
  name: 'node_worker_failure_paths',
  version: '1.0.0',
  identity_strategy: 'always_unique',
  description: 'Node worker tests: a Retry-After shorter than the backoff, then a permanent failure',
  steps: [
    {
      name: 'flaky',
      handler: 'node_examples.test_flaky',
      retry: { max_attempts: 3, backoff: 'fixed', backoff_base_ms: 600000, max_backoff_ms: 600000, jitter_percent: 0 },
    },
    { name: 'reject', handler: 'node_examples.test_reject', depends_on: ['flaky'] },
  ],
};

describe('node worker against a running stack', { skip }, () => {
  const seen = { message: [], claim: [], report: [] };
  let api;
  let worker;

  before(async () => {
    if (problem) {
      assert.fail(`TASKER_NODE_IT=1 but the stack is missing: ${problem}`);
    }
    api = new TaskerApi(apiUrl);
    await registerTemplates(api);
    await api.registerTemplate(failurePaths);
    worker = new Worker({
      connectionString: dbUrl,
      namespaces: [NAMESPACE],
      handlers: { ...handlers, ...testHandlers },
      workerId: `node-it-${process.pid}`,
      observer: {
        message: (m) => seen.message.push(m),
        claim: (c) => seen.claim.push(c),
        report: (r) => seen.report.push(r),
      },
    });
    await worker.start();
  });

  after(async () => {
    if (worker) {
      assert.equal(await worker.stop(), 0);
      assert.equal(worker.presence.stopped, true, 'tasker.worker_stopped marked this worker stopped');
    }
  });

  test('one task, steps in two languages: square (Java) 6 -> 36, digits and even_sum (Node) -> [3,6], 18, square_again (Java) -> 324', async () => {
    for (let i = 0; i < 100 && !worker.listening; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(worker.listening, true, 'LISTENs on its queue as the worker login');
    const r = await polyglot(api, 6, { timeoutMs: 60000 });
    assert.equal(r.task.namespace, 'examples', 'the task is of the JVM namespace');
    assert.equal(r.square, 36);
    assert.deepEqual(r.digits, { digits: [3, 6], sum: 9 });
    assert.equal(r.evenSum, 18);
    assert.equal(r.squareAgain, 324);
    const ranOn = Object.fromEntries(r.task.steps.map((s) => [s.name, s.attempt_history.map((a) => a.worker_id)]));
    assert.deepEqual(ranOn.digits, [worker.workerId], 'digits ran on the Node worker');
    assert.deepEqual(ranOn.even_sum, [worker.workerId], 'even_sum ran on the Node worker');
    for (const step of ['square', 'square_again']) {
      assert.equal(ranOn[step].length, 1);
      assert.notEqual(ranOn[step][0], worker.workerId, `${step} ran on the JVM worker`);
    }
    const messages = seen.message.filter((m) => m.task_uuid === r.task.task_uuid);
    assert.deepEqual(messages.map((m) => m.step_name).sort(), ['digits', 'even_sum'], 'only the Node steps came to the Node queue');
    assert.ok(messages.every((m) => m.namespace === NAMESPACE), 'their messages name the step namespace');
  });

  test('a Retry-After replaces the template backoff, and a permanent failure fails the task with its error', async () => {
    const created = await api.createTask({ namespace: NAMESPACE, name: failurePaths.name, version: '1.0.0', context: {} });
    // The template's backoff is 10 minutes: finishing within the wait proves retry_after_ms was used.
    const task = await api.awaitTask(created.task_uuid, { timeoutMs: 60000 });
    assert.equal(task.status, 'error');
    const flaky = task.steps.find((s) => s.name === 'flaky');
    assert.equal(flaky.status, 'complete');
    assert.equal(flaky.attempts, 2);
    assert.deepEqual(flaky.results, { attempt: 2 });
    const reject = task.steps.find((s) => s.name === 'reject');
    assert.equal(reject.status, 'error');
    assert.equal(reject.attempts, 1, 'a permanent failure is not retried');
    assert.equal(reject.last_error.type, 'declined');
    assert.equal(reject.last_error.message, 'card declined');
    assert.equal(reject.last_error.handler, 'node_examples.test_reject');
  });

  test('what the worker read, claimed and reported satisfies the protocol schemas', () => {
    assert.ok(seen.message.length >= 5 && seen.claim.length >= 5 && seen.report.length >= 5);
    for (const m of seen.message) assertValid('step-message', m);
    for (const c of seen.claim) assertValid('step-claim', c);
    for (const c of seen.claim.filter((c) => c.status === 'claimed')) {
      assertValid('step-context', { ...c, deadline: new Date().toISOString() });
    }
    for (const r of seen.report) {
      assertValid('step-result', resultDocument(r));
      assert.equal(r.verdict, 'accepted');
    }
    assert.ok(seen.report.some((r) => r.outcome === 'retryable_failure' && JSON.parse(r.error).retry_after_ms === 200));
  });

  test('the worker records its presence in the worker registry (tasker.worker_heartbeat) as the scoped login', () => {
    const presence = worker.presence;
    assert.equal(presence.error, null);
    assert.ok(presence.beats >= 1);
  });

  test('the worker login is scoped: another namespace\'s queue is refused', async () => {
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    try {
      await assert.rejects(client.query("SELECT * FROM pgmq.read('worker_fulfillment_queue', 1, 1)"),
        (e) => e.code === '42501');
    } finally {
      await client.end();
    }
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  MESSAGE_FORMAT, PermanentError, RetryableError, decodeStepMessage, failureReport,
  isDataException, stepContext, successReport, workerQueue,
} from '../src/index.js';
import { assertValid, resultDocument, schemaNames } from './schemas.js';
import { claimedAnswer, stepMessage } from './fixtures.js';

describe('protocol', () => {
  test('every protocol schema of docs/protocol is loaded', () => {
    for (const name of ['step-message', 'step-claim', 'step-context', 'step-result', 'result-notice']) {
      assert.ok(schemaNames.includes(name), name);
    }
  });

  test('the queue of a namespace is worker_<namespace>_queue; bad names are refused', () => {
    assert.equal(workerQueue('node_examples'), 'worker_node_examples_queue');
    assert.throws(() => workerQueue('Bad-Name'), TypeError);
    assert.throws(() => workerQueue('a'.repeat(30)), TypeError);
    assert.equal(workerQueue('a'.repeat(29)), `worker_${'a'.repeat(29)}_queue`);
  });

  test('a format 1 message is read and satisfies step-message', () => {
    const m = stepMessage();
    assertValid('step-message', m);
    assert.deepEqual(decodeStepMessage(m), { kind: 'step', message: m, version: 1 });
    assert.equal(MESSAGE_FORMAT, 1);
  });

  test('a message without format_version is format 0 and read the same', () => {
    const m = stepMessage();
    delete m.format_version;
    assertValid('step-message.v0', m);
    assert.equal(decodeStepMessage(m).kind, 'step');
    assert.equal(decodeStepMessage(m).version, 0);
  });

  test('a newer format is unsupported (left in the queue), not poison', () => {
    assert.deepEqual(decodeStepMessage({ ...stepMessage(), format_version: 2 }), { kind: 'unsupported', version: 2 });
  });

  test('poison: not an object, an invalid format_version, no valid step_uuid', () => {
    for (const bad of [null, 42, 'text', [stepMessage()]]) {
      assert.deepEqual(decodeStepMessage(bad), { kind: 'poison', reason: 'message is not a JSON object' });
    }
    assert.match(decodeStepMessage({ ...stepMessage(), format_version: '1' }).reason, /invalid format_version/);
    assert.match(decodeStepMessage({ ...stepMessage(), format_version: 1.5 }).reason, /invalid format_version/);
    assert.equal(decodeStepMessage({ ...stepMessage(), step_uuid: 'nope' }).reason, 'message has no valid step_uuid');
    assert.equal(decodeStepMessage({ format_version: 1 }).reason, 'message has no valid step_uuid');
  });

  test('the step context of a claimed answer satisfies step-context, with the deadline', () => {
    const claim = claimedAnswer();
    assertValid('step-claim', claim);
    const deadline = new Date('2026-12-02T10:00:30.000Z');
    const ctx = stepContext(claim, deadline);
    assertValid('step-context', ctx);
    assert.equal(ctx.deadline, '2026-12-02T10:00:30.000Z');
    assert.deepEqual(ctx.dependency_results, claim.dependency_results);
    assert.equal(ctx.claim_token, undefined, 'the claim token is the worker\'s, not the handler\'s');
  });

  test('success reports carry the JSON result and satisfy step-result', () => {
    for (const value of [{ a: [1, 'x'] }, 42, 'text', null, true]) {
      const r = successReport(value, 'h', 1024);
      assert.equal(r.outcome, 'success');
      assert.equal(r.result, JSON.stringify(value));
      assertValid('step-result', resultDocument(r));
    }
  });

  test('a result at the size limit passes, one byte over is result_too_large', () => {
    const atLimit = 'é'.repeat(4); // "éééé" = 2 quotes + 8 bytes
    assert.equal(successReport(atLimit, 'h', 10).outcome, 'success');
    const over = successReport(atLimit, 'h', 9);
    assert.equal(over.outcome, 'permanent_failure');
    assert.equal(JSON.parse(over.error).type, 'result_too_large');
    assert.match(JSON.parse(over.error).message, /10 bytes of JSON, over the limit of 9 bytes/);
  });

  test('results that cannot be stored become permanent failures saying why', () => {
    const cases = [
      [undefined, 'null_result', /returned no result/],
      [{ n: 10n }, 'invalid_result', /cannot be written as JSON/],
      [() => 1, 'invalid_result', /cannot be written as JSON/],
      [{ a: ['ok', 'b\0d'] }, 'invalid_result', /\$\.a\[1\] contains a NUL character/],
    ];
    for (const [value, type, message] of cases) {
      const r = successReport(value, 'node_examples.h', 1024);
      assert.equal(r.outcome, 'permanent_failure');
      const error = JSON.parse(r.error);
      assert.equal(error.type, type);
      assert.equal(error.handler, 'node_examples.h');
      assert.match(error.message, message);
      assert.ok(r.refusal);
      assertValid('step-result', resultDocument(r));
    }
    const cyclic = {};
    cyclic.self = cyclic;
    assert.equal(JSON.parse(successReport(cyclic, 'h', 1024).error).type, 'invalid_result');
  });

  test('RetryableError reports a retryable failure with retry_after_ms', () => {
    const r = failureReport(new RetryableError('rate limited', { type: 'rate_limited', retryAfterMs: 1500 }), 'h');
    assert.equal(r.outcome, 'retryable_failure');
    assert.deepEqual(JSON.parse(r.error), { message: 'rate limited', type: 'rate_limited', handler: 'h', retry_after_ms: 1500 });
    assertValid('step-result', resultDocument(r));
    const zero = failureReport(new RetryableError('now', { retryAfterMs: 0 }), 'h');
    assert.equal(JSON.parse(zero.error).retry_after_ms, 0);
  });

  test('an invalid Retry-After is refused as a permanent invalid_retry_after', () => {
    for (const ms of [-1, Number.NaN, Number.POSITIVE_INFINITY, '10', 2 ** 60]) {
      const r = failureReport(new RetryableError('x', { retryAfterMs: ms }), 'h');
      assert.equal(r.outcome, 'permanent_failure', String(ms));
      assert.equal(JSON.parse(r.error).type, 'invalid_retry_after');
    }
  });

  test('PermanentError fails permanently; any other error retries, typed by its name', () => {
    const p = failureReport(new PermanentError('card declined', { type: 'declined' }), 'h');
    assert.equal(p.outcome, 'permanent_failure');
    assert.deepEqual(JSON.parse(p.error), { message: 'card declined', type: 'declined', handler: 'h' });
    const t = failureReport(new TypeError('x is undefined'), 'h');
    assert.equal(t.outcome, 'retryable_failure');
    assert.equal(JSON.parse(t.error).type, 'TypeError');
    const s = failureReport('a string', 'h');
    assert.deepEqual(JSON.parse(s.error), { message: 'a string', type: 'error', handler: 'h' });
    for (const r of [p, t, s]) assertValid('step-result', resultDocument(r));
  });

  test('an error message with a NUL character is refused as invalid_result', () => {
    const r = failureReport(new Error('bad\0byte'), 'h');
    assert.equal(r.outcome, 'permanent_failure');
    assert.match(JSON.parse(r.error).message, /message contains a NUL character .* at index 3/);
  });

  test('SQLSTATE class 22 is a data exception, also as a cause', () => {
    assert.ok(isDataException(Object.assign(new Error('x'), { code: '22P02' })));
    assert.ok(isDataException(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: '22023' }) })));
    assert.ok(!isDataException(Object.assign(new Error('x'), { code: '57P01' })));
    assert.ok(!isDataException(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })));
  });
});

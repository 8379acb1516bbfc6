// The integration tests must fail, not skip, when CI requires them (TASKER_NODE_IT=1) and the
// stack is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(new URL('./integration.test.js', import.meta.url));

function run(env) {
  // NODE_TEST_CONTEXT would make the child report to this runner instead of printing.
  const { TASKER_NODE_IT, TASKER_URL, TASKER_WORKER_DB_URL, TASKER_API_KEY, NODE_TEST_CONTEXT, ...rest } = process.env;
  return spawnSync(process.execPath, ['--test', '--test-reporter=spec', file], {
    env: { ...rest, ...env }, encoding: 'utf8', timeout: 60000,
  });
}

test('with TASKER_NODE_IT=1 and no stack the integration tests fail', () => {
  const r = run({ TASKER_NODE_IT: '1', TASKER_URL: 'http://127.0.0.1:9', TASKER_WORKER_DB_URL: 'postgresql://x@127.0.0.1:9/x' });
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /TASKER_NODE_IT=1 but the stack is missing: no orchestrator at http:\/\/127\.0\.0\.1:9/);
});

test('without TASKER_NODE_IT and no stack they are skipped, saying why', () => {
  const r = run({ TASKER_URL: 'http://127.0.0.1:9' });
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /no stack \(TASKER_WORKER_DB_URL is not set\); TASKER_NODE_IT=1 makes this a failure/);
});

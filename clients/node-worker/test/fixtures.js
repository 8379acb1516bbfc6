// Protocol documents shaped as the SQL functions write them.
import { randomUUID } from 'node:crypto';

export function stepMessage(overrides = {}) {
  return {
    format_version: 1,
    task_uuid: randomUUID(),
    step_uuid: randomUUID(),
    correlation_id: randomUUID(),
    namespace: 'node_examples',
    step_name: 'digits',
    attempt: 1,
    enqueued_at: '2026-12-02T10:00:00.123456Z',
    ...overrides,
  };
}

export function claimedAnswer(overrides = {}) {
  return {
    status: 'claimed',
    claim_token: randomUUID(),
    task_uuid: randomUUID(),
    step_uuid: randomUUID(),
    correlation_id: randomUUID(),
    // The task's namespace: the step (namespace node_examples) is of a task of another one.
    namespace: 'examples',
    task_name: 'polyglot',
    task_version: '1.0.0',
    context: { even_number: 6 },
    step_name: 'even_sum',
    handler: 'node_examples.even_sum',
    config: {},
    inputs: {},
    attempt: 1,
    max_attempts: 3,
    timeout_seconds: 30,
    lease_seconds: 40,
    parents: ['digits'],
    dependency_results: { digits: { digits: [3, 6], sum: 9 } },
    ...overrides,
  };
}

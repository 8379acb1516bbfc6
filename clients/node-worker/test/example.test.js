// The example's Node handlers, without a stack: the value each step of examples/polyglot gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PermanentError } from '../src/index.js';
import { handlers } from '../example/handlers.js';
import { template } from '../example/polyglot.js';

test('digits takes its one parent\'s result (the Java square), else the task\'s number', async () => {
  const digits = handlers['node_examples.digits'];
  assert.deepEqual(await digits({ parents: ['square'], dependency_results: { square: 36 }, context: { even_number: 6 } }),
    { digits: [3, 6], sum: 9 });
  assert.deepEqual(await digits({ parents: [], dependency_results: {}, context: { number: 405 } }),
    { digits: [4, 0, 5], sum: 9 });
  await assert.rejects(digits({ parents: ['square'], dependency_results: { square: '36' } }),
    (e) => e instanceof PermanentError && /the result of square must be a whole number/.test(e.message));
});

test('the polyglot template routes digits and even_sum to node_examples and the rest to the task namespace', () => {
  assert.equal(template.namespace, 'examples');
  assert.deepEqual(template.steps.map((s) => [s.name, s.namespace ?? template.namespace]), [
    ['square', 'examples'], ['digits', 'node_examples'], ['even_sum', 'node_examples'], ['square_again', 'examples'],
  ]);
  for (const s of template.steps.filter((s) => (s.namespace ?? template.namespace) === 'node_examples')) {
    assert.ok(s.handler in handlers, `${s.handler} is a handler of this worker`);
  }
});

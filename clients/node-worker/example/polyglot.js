// A value through the JVM worker, the Node worker and back: examples/polyglot_square (Java) squares
// an even number, node_examples/polyglot_digits (Node) turns the square into twice its digit sum,
// and polyglot_square squares that again.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('./templates/', import.meta.url));

export const templates = {
  square: JSON.parse(readFileSync(`${dir}polyglot_square.json`, 'utf8')),
  digits: JSON.parse(readFileSync(`${dir}polyglot_digits.json`, 'utf8')),
};

/** Registers both templates (identical content again is a no-op). */
export async function registerTemplates(api) {
  for (const t of Object.values(templates)) {
    await api.registerTemplate(t);
  }
}

async function run(api, template, context, timeoutMs) {
  const created = await api.createTask({ namespace: template.namespace, name: template.name, version: template.version, context });
  const task = await api.awaitTask(created.task_uuid, { timeoutMs });
  if (task.status !== 'complete') {
    const failed = (task.steps ?? []).filter((s) => s.last_error).map((s) => `${s.name}: ${JSON.stringify(s.last_error)}`);
    throw new Error(`task ${task.task_uuid} (${template.namespace}/${template.name}) ended ${task.status} ${failed.join('; ')}`);
  }
  return task;
}

function result(task, step) {
  return task.steps.find((s) => s.name === step).results;
}

/**
 * Runs the three tasks for `evenNumber`; resolves with every task and the values:
 * `{square, digits, evenSum, squareAgain, tasks}`.
 */
export async function polyglot(api, evenNumber, { timeoutMs = 60000 } = {}) {
  const first = await run(api, templates.square, { even_number: evenNumber }, timeoutMs);
  const square = result(first, 'square');
  const second = await run(api, templates.digits, { number: square }, timeoutMs);
  const digits = result(second, 'digits');
  const evenSum = result(second, 'even_sum');
  const third = await run(api, templates.square, { even_number: evenSum }, timeoutMs);
  return { square, digits, evenSum, squareAgain: result(third, 'square'), tasks: [first, second, third] };
}

// One task whose steps run in two languages (template templates/polyglot.json, namespace examples):
// square (Java, examples.square_product) squares an even number; digits and even_sum (Node, step
// namespace node_examples) turn the square into twice its digit sum; square_again (Java) squares
// that. Each step goes to the queue of its own namespace and is run by that namespace's worker.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const template = JSON.parse(readFileSync(fileURLToPath(new URL('./templates/polyglot.json', import.meta.url)), 'utf8'));

/** Registers the template (identical content again is a no-op). */
export async function registerTemplates(api) {
  await api.registerTemplate(template);
}

function result(task, step) {
  return task.steps.find((s) => s.name === step).results;
}

/**
 * Runs one polyglot task for `evenNumber`; resolves with the task and the values of its steps:
 * `{square, digits, evenSum, squareAgain, task}`.
 */
export async function polyglot(api, evenNumber, { timeoutMs = 60000 } = {}) {
  const created = await api.createTask({
    namespace: template.namespace, name: template.name, version: template.version, context: { even_number: evenNumber },
  });
  const task = await api.awaitTask(created.task_uuid, { timeoutMs });
  if (task.status !== 'complete') {
    const failed = (task.steps ?? []).filter((s) => s.last_error).map((s) => `${s.name}: ${JSON.stringify(s.last_error)}`);
    throw new Error(`task ${task.task_uuid} (${template.namespace}/${template.name}) ended ${task.status} ${failed.join('; ')}`);
  }
  return {
    square: result(task, 'square'),
    digits: result(task, 'digits'),
    evenSum: result(task, 'even_sum'),
    squareAgain: result(task, 'square_again'),
    task,
  };
}

#!/usr/bin/env node
// Runnable example: a Node worker for namespace node_examples next to the JVM worker.
//   TASKER_WORKER_DB_URL=postgresql://... [TASKER_URL=http://localhost:8080] [TASKER_API_KEY=...] \
//     node example/run.js [even number, default 6]
// Registers the template examples/polyglot, starts the worker and runs one task whose steps go
// Java -> Node -> Java (each step in its own namespace's queue), then prints the values.
import { TaskerApi, Worker } from '../src/index.js';
import { NAMESPACE, handlers } from './handlers.js';
import { polyglot, registerTemplates } from './polyglot.js';

const dbUrl = process.env.TASKER_WORKER_DB_URL;
if (!dbUrl) {
  console.error('set TASKER_WORKER_DB_URL to a worker login for namespace node_examples'
    + ' (./tasker up prints one when TASKER_LOCAL_EXTRA_WORKER_NAMESPACES=node_examples)');
  process.exit(2);
}
const evenNumber = Number(process.argv[2] ?? 6);
const api = new TaskerApi(process.env.TASKER_URL ?? 'http://localhost:8080');
await registerTemplates(api);
const worker = new Worker({ connectionString: dbUrl, namespaces: [NAMESPACE], handlers });
await worker.start();
let stopped;
const stop = () => (stopped ??= worker.stop());
const interrupted = () => stop().then(() => process.exit(130));
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);
try {
  const r = await polyglot(api, evenNumber);
  console.log(`square       (Java, examples)      ${evenNumber}^2 = ${r.square}`);
  console.log(`digits       (Node, node_examples) ${JSON.stringify(r.digits)}`);
  console.log(`even_sum     (Node, node_examples) ${r.evenSum}`);
  console.log(`square_again (Java, examples)      ${r.evenSum}^2 = ${r.squareAgain}`);
} finally {
  await stop();
}

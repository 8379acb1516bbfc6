// Reference Tasker worker for Node.js: see clients/node-worker/README.md and docs/worker-protocol.md.
export { Worker, defaultWorkerId, jsonLogger } from './worker.js';
export {
  LIBRARY_VERSION, MESSAGE_FORMAT, SQL, ErrorTypes, PermanentError, RetryableError, decodeStepMessage,
  failureReport, isDataException, stepContext, successReport, workerQueue,
} from './protocol.js';
export { TaskerApi, TaskerApiError } from './api.js';

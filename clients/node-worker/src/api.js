// The few orchestrator HTTP calls a worker application makes: register its templates, and (for the
// example and tests) create a task and wait for it. Uses Node's built-in fetch.

const TERMINAL = new Set(['complete', 'error', 'cancelled', 'resolved_manually']);

/** An answer of the orchestrator that is not a success; `problem` is its problem+json body. */
export class TaskerApiError extends Error {
  constructor(method, path, status, problem) {
    super(`${method} ${path} answered ${status}: ${problem?.detail ?? problem?.title ?? JSON.stringify(problem)}`);
    this.name = 'TaskerApiError';
    this.status = status;
    this.problem = problem;
  }
}

export class TaskerApi {
  /**
   * @param {string} baseUrl the orchestrator, e.g. http://localhost:8080
   * @param {{apiKey?: string, requestTimeoutMs?: number}} options `apiKey` is sent as
   *     `Authorization: Bearer <key>` (default: the TASKER_API_KEY environment variable, if set)
   */
  constructor(baseUrl, { apiKey = process.env.TASKER_API_KEY, requestTimeoutMs = 10000 } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.apiKey = apiKey || undefined;
    this.requestTimeoutMs = requestTimeoutMs;
  }

  /**
   * Registers a template (an object, sent as JSON). Identical content again is a no-op; resolves
   * with `{created, template}`. A different body under a registered version rejects (409).
   */
  async registerTemplate(template) {
    return this.#call('POST', '/v1/templates', template);
  }

  /** Creates a task; resolves with the task (its `task_uuid`, `status`, `steps`). */
  async createTask({ namespace, name, version, context, ...rest }) {
    return this.#call('POST', '/v1/tasks', { namespace, name, version, context, ...rest });
  }

  async getTask(taskUuid) {
    return this.#call('GET', `/v1/tasks/${encodeURIComponent(taskUuid)}`);
  }

  /** Polls the task until it is terminal (complete, error, cancelled, resolved_manually). */
  async awaitTask(taskUuid, { timeoutMs = 60000, intervalMs = 200 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const task = await this.getTask(taskUuid);
      if (TERMINAL.has(task.status)) {
        return task;
      }
      if (Date.now() >= deadline) {
        throw new Error(`task ${taskUuid} is still ${task.status} after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  async #call(method, path, body) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.requestTimeoutMs),
    });
    const text = await response.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = { detail: text };
    }
    if (!response.ok) {
      throw new TaskerApiError(method, path, response.status, json);
    }
    return json;
  }
}

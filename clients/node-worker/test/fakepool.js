// A pool that answers the worker's SQL from a script, recording every call.
import { EventEmitter } from 'node:events';
import { SQL } from '../src/index.js';

const NAMES = new Map(Object.entries(SQL).map(([name, text]) => [text, name]));

export class FakePool {
  constructor(answers = {}) {
    this.calls = [];
    this.answers = answers;
  }

  async query(text, values) {
    const name = NAMES.get(text);
    if (!name) throw new Error(`unexpected SQL ${text}`);
    this.calls.push({ name, values });
    const answer = this.answers[name];
    const rows = typeof answer === 'function' ? await answer(values, this.calls.filter((c) => c.name === name).length) : answer;
    return { rows: rows ?? [] };
  }

  /** A pool that also lends a connection for LISTEN (`listener` is it, once connected). */
  withListener() {
    this.connect = async () => {
      const client = new EventEmitter();
      client.listens = [];
      client.query = async (text) => { client.listens.push(text); return { rows: [] }; };
      client.released = false;
      client.release = () => { client.released = true; };
      this.listener = client;
      return client;
    };
    return this;
  }

  named(name) {
    return this.calls.filter((c) => c.name === name);
  }
}

export const quietLogger = {
  lines: [],
  debug() {},
  info(m) { this.lines.push(['info', m]); },
  warn(m) { this.lines.push(['warn', m]); },
  error(m) { this.lines.push(['error', m]); },
};

export function capturingLogger() {
  const lines = [];
  const log = (level) => (message) => lines.push({ level, message });
  return { lines, debug() {}, info: log('info'), warn: log('warn'), error: log('error') };
}

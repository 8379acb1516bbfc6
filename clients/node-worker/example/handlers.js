// The Node handlers of namespace node_examples (template templates/polyglot_digits.json).
import { PermanentError } from '../src/index.js';

export const NAMESPACE = 'node_examples';

export const handlers = {
  /** The decimal digits of the task's `number` and their sum: `{digits: [3, 6], sum: 9}`. */
  'node_examples.digits': async (ctx) => {
    const n = ctx.context?.number;
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new PermanentError(`the context's number must be a whole number of 0 or more, got ${JSON.stringify(n)}`,
        { type: 'invalid_input' });
    }
    const digits = [...String(n)].map(Number);
    return { digits, sum: digits.reduce((a, b) => a + b, 0) };
  },

  /** Twice the sum its parent `digits` found: a bare even number. */
  'node_examples.even_sum': async (ctx) => {
    const sum = ctx.dependency_results?.digits?.sum;
    if (!Number.isSafeInteger(sum)) {
      throw new PermanentError(`the digits step gave no whole sum: ${JSON.stringify(ctx.dependency_results)}`,
        { type: 'invalid_input' });
    }
    return sum * 2;
  },
};

// The Node handlers of namespace node_examples (the Node steps of templates/polyglot.json).
import { PermanentError } from '../src/index.js';

export const NAMESPACE = 'node_examples';

export const handlers = {
  /**
   * The decimal digits of a whole number and their sum: `{digits: [3, 6], sum: 9}`. The number is
   * the result of the step's one parent (in the polyglot template, the Java step's square), or the
   * task's `number` for a step without parents.
   */
  'node_examples.digits': async (ctx) => {
    const parents = ctx.parents ?? [];
    const n = parents.length === 1 ? ctx.dependency_results?.[parents[0]] : ctx.context?.number;
    if (!Number.isSafeInteger(n) || n < 0) {
      const source = parents.length === 1 ? `the result of ${parents[0]}` : "the context's number";
      throw new PermanentError(`${source} must be a whole number of 0 or more, got ${JSON.stringify(n)}`,
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

// Validates protocol documents against the JSON Schemas in docs/protocol/ (draft 2020-12).
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/protocol');
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validators = new Map();
for (const file of readdirSync(dir).filter((f) => f.endsWith('.schema.json'))) {
  validators.set(file.replace('.schema.json', ''), ajv.compile(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))));
}

/** The schema names: step-message, step-claim, step-context, step-result, result-notice, ... */
export const schemaNames = [...validators.keys()];

/** Throws with every violation when `document` does not satisfy schema `name`. */
export function assertValid(name, document) {
  const validate = validators.get(name);
  if (!validate) throw new Error(`no schema ${name} in ${dir}`);
  if (!validate(document)) {
    throw new Error(`not a valid ${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(document)}`);
  }
}

/** The step-result document of a report (`{outcome, result, error}` with JSON texts). */
export function resultDocument(report) {
  const doc = { outcome: report.outcome };
  if (report.result !== null) doc.result = JSON.parse(report.result);
  if (report.error !== null) doc.error = JSON.parse(report.error);
  return doc;
}

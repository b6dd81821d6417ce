import type { ErrorObject } from 'ajv';
import { MESSAGE_KEYWORD } from './experiment-schema.js';
import type { ConfigPath, PathIssue } from './format.js';

/**
 * Turns ajv errors (from a validator compiled with `allErrors` and `verbose`) into issues located by data path:
 * - `additionalProperties` / `unevaluatedProperties` name the key (`methods[0].optionz is not allowed`) and point at it;
 * - the `if`/`then` composition noise (`must match "then" schema`) is dropped;
 * - a `oneOf` whose schema carries {@link MESSAGE_KEYWORD} reports that message instead of its branches' errors;
 * - `enum` lists the allowed values.
 * @param errors - ajv's errors
 * @param data - the data validated (to tell list indices from map keys)
 */
export function schemaIssues(errors: readonly ErrorObject[], data: unknown): PathIssue[] {
  const replaced = errors
    .filter((e) => e.keyword === 'oneOf' && typeof messageOf(e) === 'string')
    .map((e) => `${e.schemaPath}/`);
  const issues: PathIssue[] = [];
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    if (replaced.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const path = pointerToPath(error.instancePath, data);
    const extra = error.params['additionalProperty'] ?? error.params['unevaluatedProperty'];
    if ((error.keyword === 'additionalProperties' || error.keyword === 'unevaluatedProperties') && typeof extra === 'string') {
      issues.push({ path: [...path, extra], message: 'is not allowed', atKey: true });
    } else if (error.keyword === 'enum' && Array.isArray(error.params['allowedValues'])) {
      const allowed = (error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      issues.push({ path, message: `${error.message ?? 'must be one of the allowed values'}: ${allowed}` });
    } else {
      issues.push({ path, message: messageOf(error) ?? error.message ?? `fails ${error.keyword}` });
    }
  }
  return issues;
}

/** The replacement message the failing schema declares, if any. */
function messageOf(error: ErrorObject): string | undefined {
  const message = (error.parentSchema as Record<string, unknown> | undefined)?.[MESSAGE_KEYWORD];
  return error.keyword === 'oneOf' && typeof message === 'string' ? message : undefined;
}

/**
 * Converts a JSON Pointer (`/methods/1/options`) into a path, with list indices as numbers.
 * @param pointer - ajv's `instancePath`
 * @param data - the data it points into
 */
export function pointerToPath(pointer: string, data: unknown): ConfigPath {
  const path: (string | number)[] = [];
  let node = data;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key;
    path.push(segment);
    node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[segment] : undefined;
  }
  return path;
}

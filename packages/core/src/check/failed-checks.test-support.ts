// Test support (not built, not shipped): which checks a kit's E_CHECK error names.
import { expect } from 'vitest';
import { rejected } from '../expect-error.test-support.js';

/**
 * The names of the failed checks in a kit's error (`… failed N of M checks: name: detail; name: detail`), sorted;
 * fails unless the kit rejected with E_CHECK.
 */
export async function failedChecks(kit: Promise<unknown>): Promise<string[]> {
  const { code, message } = await rejected(kit);
  expect(code).toBe('E_CHECK');
  expect(message).not.toContain('\n');
  return [...message.matchAll(/(?:checks: |; )([a-zA-Z][a-zA-Z ]*): /g)].map((m) => m[1]!).sort();
}

/** {@link failedChecks} for a kit that throws synchronously. */
export function failedChecksSync(kit: () => unknown): Promise<string[]> {
  return failedChecks(Promise.resolve().then(kit));
}

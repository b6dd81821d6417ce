// Test support (not built, not shipped): the package's reference files (packages/adapter-medclip/test-fixtures, written
// by the dev scripts with PIL, pydicom and torch) and the comparison the tests make against them.
import { fileURLToPath } from 'node:url';
import { readNpy } from '@envision/core';
import { expect } from 'vitest';

/** The path of a file in the package's test-fixtures folder. */
export const fixture = (name: string): string => fileURLToPath(new URL(`../test-fixtures/${name}`, import.meta.url));

/** A float32 reference array from the test-fixtures folder, with its shape. */
export async function fixtureNpy(name: string): Promise<{ shape: readonly number[]; data: Float32Array }> {
  const t = await readNpy(fixture(name));
  return { shape: t.shape, data: t.data as Float32Array };
}

/** max |a_i − b_i|; fails the test when the lengths differ. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

// Test support (not built, not shipped): the package's reference files (packages/adapter-medclip/test-fixtures, written
// by the dev scripts with PIL and torch; the image decoders' own references are in packages/image/test-fixtures).
import { fileURLToPath } from 'node:url';
import { readNpy } from '@envision/core';

export { maxAbsoluteError as maxAbsDiff } from '@envision/core';

/** The path of a file in the package's test-fixtures folder. */
export const fixture = (name: string): string => fileURLToPath(new URL(`../test-fixtures/${name}`, import.meta.url));

/** The path of a file in the image package's test-fixtures folder (its DICOM files and their references). */
export const imageFixture = (name: string): string => fileURLToPath(new URL(`../../image/test-fixtures/${name}`, import.meta.url));

/** A float32 reference array, with its shape. */
const npyAt = async (path: string): Promise<{ shape: readonly number[]; data: Float32Array }> =>
  readNpy(path).then((t) => ({ shape: t.shape, data: t.data as Float32Array }));

/** A float32 reference array from the test-fixtures folder. */
export const fixtureNpy = (name: string): ReturnType<typeof npyAt> => npyAt(fixture(name));

/** A float32 reference array from the image package's test-fixtures folder. */
export const imageFixtureNpy = (name: string): ReturnType<typeof npyAt> => npyAt(imageFixture(name));

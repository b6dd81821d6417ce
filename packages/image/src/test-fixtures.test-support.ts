// Test support (not built, not shipped): the reference files in packages/image/test-fixtures, written by
// scripts/make_pil_reference.py (PIL, numpy) and scripts/make_dicom_reference.py (pydicom).
import { fileURLToPath } from 'node:url';
import { readNpy } from '@envision/core';

export { maxAbsoluteError as maxAbsDiff } from '@envision/core';

/** The path of a file in the package's test-fixtures folder. */
export const fixture = (name: string): string => fileURLToPath(new URL(`../test-fixtures/${name}`, import.meta.url));

/** A float32 reference array of the test-fixtures folder, with its shape. */
export const fixtureNpy = async (name: string): Promise<{ shape: readonly number[]; data: Float32Array }> =>
  readNpy(fixture(name)).then((t) => ({ shape: t.shape, data: t.data as Float32Array }));

import { type Tensor, formatShape, sameShape } from '@envision/onnx-grad';

/**
 * max |actual − expected| / max |expected| as a float64 computation: 0 when both are all zero, Infinity when only
 * `expected` is, NaN when either holds a non-finite value or the lengths differ (so that no tolerance accepts it).
 */
export function relativeDeviation(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.NaN;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return Number.NaN;
    diff = Math.max(diff, Math.abs(a - b));
    scale = Math.max(scale, Math.abs(b));
  }
  return diff === 0 ? 0 : diff / scale;
}

/** True when `error` is a number no larger than `tolerance` (NaN never is). */
export function within(error: number, tolerance: number): boolean {
  return error <= tolerance;
}

/** A number in two significant digits, exponent form: `2.5e-7`, `1e-2`, `0`. */
export function shortNumber(n: number): string {
  return n === 0 || !Number.isFinite(n) ? String(n) : Number(n.toPrecision(2)).toExponential();
}

/** A relative error for a detail line, e.g. `3.1e-7 (tolerance 1e-5)`. */
export function formatError(error: number, tolerance: number): string {
  return `${Number.isNaN(error) ? 'not comparable' : shortNumber(error)} (tolerance ${shortNumber(tolerance)})`;
}

/**
 * What is wrong with a tensor that should be float32 of shape `shape` with finite entries, or undefined when nothing is.
 * @param what - names the tensor in the description
 */
export function float32Problem(t: Tensor | undefined, shape: readonly number[], what: string): string | undefined {
  if (t === undefined) return `${what} is missing`;
  if (t.dtype !== 'float32') return `${what} is ${t.dtype}, expected float32`;
  if (!sameShape(t.shape, shape)) return `${what} is ${formatShape(t.shape)}, expected ${formatShape(shape)}`;
  const data = (t as Tensor<'float32'>).data;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return `${what} holds ${data[i]} at flat index ${i}`;
  return undefined;
}

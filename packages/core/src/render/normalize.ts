import { EnvisionError, type Tensor, formatShape } from '@envision/onnx-grad';
import { sortAscending } from './sort-ascending.js';

/**
 * Which attributions a rendering shows, as Captum's `VisualizeSign`:
 * `positive` only the positive values, `negative` only the negative ones (shown by magnitude),
 * `absolute_value` the magnitudes of all, `all` both signs on a diverging scale.
 */
export type Sign = 'positive' | 'negative' | 'absolute_value' | 'all';

/** The four {@link Sign}s, in Captum's order. */
export const SIGNS: readonly Sign[] = ['positive', 'absolute_value', 'negative', 'all'];

/**
 * Reads the geometry of an attribution map.
 *
 * @param shape - the map's shape: `[H, W]`, `[C, H, W]` or `[1, C, H, W]`
 * @returns its channel count (1 for `[H, W]`), height and width
 * @throws EnvisionError `E_INPUT` for any other shape
 */
export function mapGeometry(shape: readonly number[]): { channels: number; height: number; width: number } {
  const dims = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape;
  if (dims.length === 2) return { channels: 1, height: dims[0]!, width: dims[1]! };
  if (dims.length === 3) return { channels: dims[0]!, height: dims[1]!, width: dims[2]! };
  throw new EnvisionError('E_INPUT', `attribution map of shape ${formatShape(shape)}: expected [H, W], [C, H, W] or [1, C, H, W]`);
}

/**
 * Sums an attribution map over its channels, as Captum's `visualize_image_attr` does (`np.sum(attr, axis=2)` on its
 * `(H, W, C)` layout) before normalising. Sums are accumulated in float64.
 *
 * @param map - the map, `[C, H, W]` (also `[1, C, H, W]`; `[H, W]` is returned as a copy)
 * @returns the `H·W` per-pixel sums, row-major
 * @throws EnvisionError `E_INPUT` when the shape is none of those
 */
export function sumChannels(map: Tensor<'float32'>): Float32Array {
  const { channels, height, width } = mapGeometry(map.shape);
  const plane = height * width;
  const out = new Float32Array(plane);
  for (let p = 0; p < plane; p++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += map.data[c * plane + p]!;
    out[p] = s;
  }
  return out;
}

/**
 * Captum's `_cumulative_sum_threshold`: sorts the (non-negative) values ascending, takes their running sum, and
 * returns the first sorted value at which the running sum reaches `percentile` % of the total. With
 * `percentile = 100 − outlierPerc`, the values above it together hold the top `outlierPerc` % of the attribution mass.
 * The running sum is accumulated in float64; the target is computed as Captum does, `total · 0.01 · percentile`.
 *
 * @param values - non-negative values (magnitudes)
 * @param percentile - between 0 and 100 inclusive
 * @returns the threshold value, one of `values`
 * @throws EnvisionError `E_CONFIG` when `percentile` is outside [0, 100]; `E_INPUT` when `values` is empty
 */
export function cumulativeSumThreshold(values: ArrayLike<number>, percentile: number): number {
  if (!(percentile >= 0 && percentile <= 100)) {
    throw new EnvisionError('E_CONFIG', `cumulative-sum threshold: percentile must be between 0 and 100 inclusive, got ${percentile}`);
  }
  if (values.length === 0) throw new EnvisionError('E_INPUT', 'cumulative-sum threshold: no values');
  const sorted = sortAscending(values);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) total += sorted[i]!;
  const target = total * 0.01 * percentile;
  // the first index whose running sum (the same additions in the same order as the total's) reaches the target
  let running = 0;
  for (let i = 0; i < sorted.length; i++) if ((running += sorted[i]!) >= target) return sorted[i]!;
  return sorted[sorted.length - 1]!;
}

/**
 * Captum's `_normalize_attr` on channel-summed values: keeps the values of the chosen sign, divides by the
 * cumulative-sum threshold at `100 − outlierPerc` % of their magnitudes, and clips to [−1, 1].
 *
 * - `all`: `v / t` with `t` from `|v|`; result in [−1, 1].
 * - `positive`: `max(v, 0) / t`; result in [0, 1].
 * - `negative`: `min(v, 0) / (−t)` with `t` from `|min(v, 0)|`; result in [0, 1] (magnitude of the negative part).
 * - `absolute_value`: `|v| / t`; result in [0, 1].
 *
 * Where Captum asserts (a threshold of exactly 0, e.g. when no value has the chosen sign), this returns the limit
 * of a vanishing threshold instead: each kept value becomes ±1 by its sign and zeros stay 0, so an all-zero map gives
 * all zeros, never NaN. A tiny non-zero threshold is divided by as in Captum (which only warns below 1e-5).
 * NaN inputs (no attribution) are left out of the threshold and stay NaN, for every sign.
 *
 * @param values - channel-summed attributions (see {@link sumChannels})
 * @param sign - which attributions to keep
 * @param outlierPerc - the percentage of attribution mass treated as outliers and clipped to 1 (default 2, as Captum)
 * @returns the normalised values, same length as `values`
 * @throws EnvisionError `E_CONFIG` when `outlierPerc` is outside [0, 100] or `sign` is unknown
 */
export function normalizeAttr(values: ArrayLike<number>, sign: Sign, outlierPerc = 2): Float32Array {
  if (!(outlierPerc >= 0 && outlierPerc <= 100)) {
    throw new EnvisionError('E_CONFIG', `outlierPerc must be between 0 and 100 inclusive, got ${outlierPerc}`);
  }
  const n = values.length;
  const kept = new Float64Array(n);
  for (let i = 0; i < n; i++) kept[i] = keep(values[i]!, sign);
  const out = new Float32Array(n);
  if (n === 0) return out;
  const magnitudes = new Float64Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(kept[i]!)) magnitudes[count++] = Math.abs(kept[i]!);
  const t = count === 0 ? 0 : cumulativeSumThreshold(magnitudes.subarray(0, count), 100 - outlierPerc);
  // For `negative` Captum divides by −t, which turns the kept non-positive values into magnitudes.
  const scale = sign === 'negative' ? -t : t;
  for (let i = 0; i < n; i++) {
    const q = scale === 0 ? Math.sign(kept[i]!) * (sign === 'negative' ? -1 : 1) : kept[i]! / scale;
    out[i] = Math.min(1, Math.max(-1, q)) + 0; // `+ 0` turns −0 into 0
  }
  return out;
}

function keep(v: number, sign: Sign): number {
  if (Number.isNaN(v)) return v;
  switch (sign) {
    case 'all':
      return v;
    case 'positive':
      return v > 0 ? v : 0;
    case 'negative':
      return v < 0 ? v : 0;
    case 'absolute_value':
      return Math.abs(v);
    default:
      throw new EnvisionError('E_CONFIG', `unknown sign '${String(sign)}' (use positive, negative, absolute_value or all)`);
  }
}

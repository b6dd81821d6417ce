import { EnvisionError, type Tensor } from '@envision/onnx-grad';
import { mapGeometry, sumChannels } from '../render/normalize.js';

/** A channel-summed attribution map: `width · height` values, row-major (index `y · width + x`). */
export interface PlaneMap {
  /** The `height · width` values. */
  readonly data: Float32Array;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

/**
 * An attribution map as the metrics take it: a {@link PlaneMap}, or a float32 tensor `[H, W]`, `[C, H, W]` or
 * `[1, C, H, W]` whose channels are summed first (with {@link sumChannels}, as Captum does before visualising).
 */
export type MapInput = PlaneMap | Tensor<'float32'>;

/** A map read into one plane, with a label of its size for messages. */
export interface Plane {
  /** The `height · width` channel-summed values, row-major. */
  readonly values: Float32Array;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

/**
 * Which part of a signed attribution a metric looks at:
 * `raw` the signed values as they are, `positive` the positive part `max(m, 0)` (evidence for the target; negative
 * evidence counts as 0), `absolute` the magnitude `|m|` (evidence of either sign).
 */
export type AttributionUse = 'raw' | 'positive' | 'absolute';

/** The non-negative {@link AttributionUse}s, for metrics that sum attribution mass. */
export type MassUse = 'positive' | 'absolute';

/** An axis-aligned box in pixel coordinates: pixel `(x, y)` is inside iff `x0 ≤ x < x1` and `y0 ≤ y < y1`. */
export interface Box {
  /** Left edge (inclusive). */
  readonly x0: number;
  /** Top edge (inclusive). */
  readonly y0: number;
  /** Right edge (exclusive). */
  readonly x1: number;
  /** Bottom edge (exclusive). */
  readonly y1: number;
}

/**
 * A target region: a mask of `H · W` values, row-major, where a non-zero value (normally 1) marks a pixel inside;
 * or a {@link Box}. Exactly one of the two.
 */
export type Region = { readonly mask: Uint8Array; readonly box?: undefined } | { readonly box: Box; readonly mask?: undefined };

/**
 * Formats a size as `H×W` for messages.
 *
 * @param height - height in pixels
 * @param width - width in pixels
 * @returns e.g. `4×4`
 */
export function formatSize(height: number, width: number): string {
  return `${height}×${width}`;
}

/**
 * Reads a map into one channel-summed plane.
 *
 * @param map - a {@link PlaneMap} or a tensor `[H, W]`, `[C, H, W]` or `[1, C, H, W]`
 * @param what - what the map is, for messages (e.g. `'pointingGame: map'`)
 * @returns its values, width and height (a tensor's channel sums are a new array; a plane's values are not copied)
 * @throws EnvisionError `E_INPUT` when a plane's data length is not `width · height`, or the tensor shape is not one of those
 */
export function toPlane(map: MapInput, what: string): Plane {
  if ('shape' in map) {
    const { height, width } = mapGeometry(map.shape);
    return { values: sumChannels(map), height, width };
  }
  const { data, width, height } = map;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new EnvisionError('E_INPUT', `${what}: width and height must be non-negative integers, got ${width} and ${height}`);
  }
  if (data.length !== width * height) {
    throw new EnvisionError('E_INPUT', `${what}: ${data.length} values do not fill a ${formatSize(height, width)} map (${width * height} pixels)`);
  }
  return { values: data, width, height };
}

/**
 * Applies an {@link AttributionUse} to one value. NaN stays NaN.
 *
 * @param v - a signed attribution
 * @param use - which part to keep
 * @returns `v`, `max(v, 0)` or `|v|`
 * @throws EnvisionError `E_CONFIG` for an unknown `use`
 */
export function applyUse(v: number, use: AttributionUse): number {
  switch (use) {
    case 'raw':
      return v;
    case 'positive':
      return v > 0 ? v : Number.isNaN(v) ? v : 0;
    case 'absolute':
      return Math.abs(v);
    default:
      throw new EnvisionError('E_CONFIG', `unknown use '${String(use)}' (use raw, positive or absolute)`);
  }
}

/**
 * Checks an option that must be `positive` or `absolute`.
 *
 * @param use - the option's value
 * @param what - the metric, for messages
 * @returns `use`
 * @throws EnvisionError `E_CONFIG` for anything else (also `raw`, whose sums are not a share of mass)
 */
export function checkMassUse(use: MassUse, what: string): MassUse {
  if (use !== 'positive' && use !== 'absolute') {
    throw new EnvisionError('E_CONFIG', `${what}: use must be 'positive' or 'absolute', got '${String(use)}'`);
  }
  return use;
}

/**
 * Rasterises a {@link Region} on a `width × height` grid.
 *
 * @param region - a mask of `width · height` values, or a box with `0 ≤ x0 ≤ x1 ≤ width` and `0 ≤ y0 ≤ y1 ≤ height`
 * @param width - width of the map
 * @param height - height of the map
 * @param what - the metric, for messages
 * @returns 1 inside, 0 outside (a mask is returned as given)
 * @throws EnvisionError `E_INPUT` when the mask size differs from the map's, the box lies (partly) outside the map
 * or is inverted, or neither or both of `mask` and `box` are given
 */
export function regionMask(region: Region, width: number, height: number, what: string): Uint8Array {
  const { mask, box } = region as { mask?: Uint8Array; box?: Box };
  if ((mask === undefined) === (box === undefined)) {
    throw new EnvisionError('E_INPUT', `${what}: give exactly one of mask and box`);
  }
  if (mask !== undefined) {
    if (mask.length !== width * height) {
      throw new EnvisionError(
        'E_INPUT',
        `${what}: mask has ${mask.length} values but the map is ${formatSize(height, width)} (${width * height} pixels)`,
      );
    }
    return mask;
  }
  const { x0, y0, x1, y1 } = box!;
  if (!(0 <= x0 && x0 <= x1 && x1 <= width && 0 <= y0 && y0 <= y1 && y1 <= height)) {
    throw new EnvisionError(
      'E_INPUT',
      `${what}: box {x0: ${x0}, y0: ${y0}, x1: ${x1}, y1: ${y1}} does not fit a ${formatSize(height, width)} map ` +
        `(need 0 ≤ x0 ≤ x1 ≤ ${width} and 0 ≤ y0 ≤ y1 ≤ ${height})`,
    );
  }
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    if (y < y0 || y >= y1) continue;
    for (let x = 0; x < width; x++) if (x >= x0 && x < x1) out[y * width + x] = 1;
  }
  return out;
}

/**
 * Σ of `applyUse(m, use)` over the pixels inside `mask` and over all pixels, in float64. NaN values (no attribution)
 * count as 0.
 *
 * @param values - the map
 * @param mask - non-zero inside
 * @param use - which part of the attribution to sum
 * @returns the two sums
 */
export function massInside(values: Float32Array, mask: Uint8Array, use: MassUse): { inside: number; total: number } {
  let inside = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const m = applyUse(values[i]!, use);
    if (Number.isNaN(m)) continue;
    total += m;
    if (mask[i] !== 0) inside += m;
  }
  return { inside, total };
}

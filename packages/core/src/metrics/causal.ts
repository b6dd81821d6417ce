import { EnvisionError } from '@envision/onnx-grad';
import { type MapInput, formatSize, toPlane } from './map.js';

/**
 * Scores a batch of images for the explained target (e.g. the model's probability or logit of the class), one number
 * per image, in order. Each image is a fresh `Float32Array` of `C · H · W` values the scorer may keep.
 */
export type Scorer = (images: Float32Array[]) => Promise<number[]>;

/** An image in planar layout: `channels · height · width` values, index `c · H · W + y · W + x`. */
export interface PlanarImage {
  /** The values. */
  readonly data: Float32Array;
  /** Number of channels C. */
  readonly channels: number;
  /** Height H. */
  readonly height: number;
  /** Width W. */
  readonly width: number;
}

/** Options of {@link deletionAuc} and {@link insertionAuc}. */
export interface CausalOptions {
  /**
   * Number of equal steps from no pixel to all pixels; the curve has `steps + 1` points.
   * @default 50
   */
  readonly steps?: number | undefined;
  /**
   * Images per call of the scorer.
   * @default 16
   */
  readonly batchSize?: number | undefined;
  /**
   * Divide every score by the start score (the first point of the curve), so curves of images with different
   * confidence are comparable; the start score must then be non-zero.
   * @default false
   */
  readonly normalize?: boolean | undefined;
}

/** A deletion or insertion curve and the area under it. */
export interface CausalResult {
  /** Area under the curve by the trapezoidal rule over the fraction axis [0, 1]. */
  readonly auc: number;
  /** The `steps + 1` scores, starting with the unmodified start image (normalised when asked). */
  readonly curve: number[];
  /** The fraction of pixels changed at each point of the curve: `round(k · N / steps) / N` for `k = 0 … steps`. */
  readonly fractions: number[];
}

/**
 * Pixel indices in order of decreasing attribution. Ties keep row-major order (the sort is stable); NaN values come
 * last.
 *
 * @param values - the channel-summed map
 * @returns the `H · W` pixel indices
 */
export function pixelOrder(values: Float32Array): Uint32Array {
  const key = (i: number): number => (Number.isNaN(values[i]!) ? -Infinity : values[i]!);
  const order = Array.from({ length: values.length }, (_, i) => i).sort((i, j) => {
    const a = key(i);
    const b = key(j);
    return a > b ? -1 : a < b ? 1 : Number(Number.isNaN(values[i]!)) - Number(Number.isNaN(values[j]!));
  });
  return Uint32Array.from(order);
}

/**
 * Area under a curve by the trapezoidal rule: `Σ_k (x_{k+1} − x_k) · (y_k + y_{k+1}) / 2`.
 *
 * @param x - abscissae, non-decreasing
 * @param y - ordinates, as many as `x`
 * @returns the area (0 for fewer than two points)
 */
export function trapezoid(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let k = 0; k + 1 < x.length; k++) area += ((x[k + 1]! - x[k]!) * (y[k]! + y[k + 1]!)) / 2;
  return area;
}

function positiveInteger(v: number, name: string, what: string): number {
  if (!(Number.isInteger(v) && v >= 1)) throw new EnvisionError('E_CONFIG', `${what}: ${name} must be a positive integer, got ${v}`);
  return v;
}

/**
 * The shared loop of {@link deletionAuc} and {@link insertionAuc}: starts from `start`, copies the values of
 * `source` into it pixel by pixel (all channels at once) in order of decreasing attribution, in `steps` equal
 * steps, scores the `steps + 1` images in batches, and integrates.
 *
 * @param what - `deletionAuc` or `insertionAuc`, for messages
 * @param map - the attribution map
 * @param image - the input image
 * @param baseline - a number or `C · H · W` values
 * @param deletion - true: start from the image and copy the baseline in; false: the reverse
 * @param score - the scorer
 * @param options - steps, batch size, normalisation
 * @returns the curve and its AUC
 */
export async function causalCurve(
  what: string,
  map: MapInput,
  image: PlanarImage,
  baseline: number | Float32Array,
  deletion: boolean,
  score: Scorer,
  options: CausalOptions,
): Promise<CausalResult> {
  const steps = positiveInteger(options.steps ?? 50, 'steps', what);
  const batchSize = positiveInteger(options.batchSize ?? 16, 'batchSize', what);
  const { data, channels, height, width } = image;
  const plane = height * width;
  if (data.length !== channels * plane) {
    throw new EnvisionError('E_INPUT', `${what}: image has ${data.length} values but C·H·W = ${channels}·${height}·${width} = ${channels * plane}`);
  }
  const m = toPlane(map, `${what}: map`);
  if (m.height !== height || m.width !== width) {
    throw new EnvisionError('E_INPUT', `${what}: map is ${formatSize(m.height, m.width)} but the image is ${formatSize(height, width)}`);
  }
  if (typeof baseline !== 'number' && baseline.length !== data.length) {
    throw new EnvisionError('E_INPUT', `${what}: baseline has ${baseline.length} values but the image has ${data.length} (C·H·W = ${channels}·${height}·${width})`);
  }
  const base = typeof baseline === 'number' ? new Float32Array(data.length).fill(baseline) : baseline;
  const [start, source] = deletion ? [data, base] : [base, data];
  const order = pixelOrder(m.values);
  const counts = Array.from({ length: steps + 1 }, (_, k) => Math.round((k * plane) / steps));

  const work = Float32Array.from(start);
  const curve: number[] = [];
  let batch: Float32Array[] = [];
  const flush = async (): Promise<void> => {
    const scores = await score(batch);
    if (!Array.isArray(scores) || scores.length !== batch.length) {
      throw new EnvisionError('E_INPUT', `${what}: the scorer returned ${Array.isArray(scores) ? scores.length : 'no'} scores for ${batch.length} images`);
    }
    for (const s of scores) {
      if (!Number.isFinite(s)) throw new EnvisionError('E_INPUT', `${what}: the scorer returned a non-finite score (${s})`);
      curve.push(s);
    }
    batch = [];
  };
  let done = 0;
  for (const count of counts) {
    for (; done < count; done++) {
      const p = order[done]!;
      for (let c = 0; c < channels; c++) work[c * plane + p] = source[c * plane + p]!;
    }
    batch.push(Float32Array.from(work));
    if (batch.length === batchSize) await flush();
  }
  if (batch.length > 0) await flush();

  if (options.normalize === true) {
    const s0 = curve[0]!;
    if (s0 === 0) throw new EnvisionError('E_INPUT', `${what}: cannot normalise by a start score of 0`);
    for (let k = 0; k < curve.length; k++) curve[k] = curve[k]! / s0;
  }
  const fractions = counts.map((c) => (plane === 0 ? 0 : c / plane));
  return { auc: trapezoid(fractions, curve), curve, fractions };
}

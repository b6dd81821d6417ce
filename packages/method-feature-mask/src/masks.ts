import { resolve } from 'node:path';
import { EnvisionError, formatShape, readNpy, sizeOf, type Tensor } from '@envision/core';
import { superpixels } from './superpixels.js';

/** Cells of a regular grid over the last two input dimensions (height, width), `size` pixels each. */
export interface GridMaskSpec {
  readonly type: 'grid';
  /** Cell height and width in pixels; the last row and column of cells are cut off at the border. */
  readonly size: readonly [number, number];
}

/** SLIC-like superpixels computed from the attributed (preprocessed) image; see {@link superpixels}. */
export interface SuperpixelMaskSpec {
  readonly type: 'superpixels';
  /** Wanted number of segments (the k-means starts from a grid of about this many centres). */
  readonly segments: number;
  /** Weight of the spatial distance against the intensity distance (SLIC's m, for intensities scaled to [0, 1]). @default 0.1 */
  readonly compactness?: number;
  /** k-means iterations. @default 10 */
  readonly iterations?: number;
}

/** Feature ids read from an `.npy` file (integers ≥ 0, int64 or float), shaped like the input's trailing dimensions. */
export interface NpyMaskSpec {
  readonly type: 'npy';
  /** Path of the file, relative to the experiment's folder (the working directory outside an experiment). */
  readonly file: string;
}

/** How the input is cut into features. */
export type MaskSpec = GridMaskSpec | SuperpixelMaskSpec | NpyMaskSpec;

/**
 * A feature mask: a feature id for each element of the input's trailing dimensions `shape` (for an image `[C, H, W]`
 * usually `[H, W]`), broadcast over the leading ones (the channels), as Captum's `feature_mask` broadcasts.
 * Ids run 0 … count − 1 and every id is used.
 */
export interface FeatureMask {
  /** The mask's dimensions: a suffix of the input's shape after the batch axis. */
  readonly shape: readonly number[];
  /** Feature id of each mask element, C order. */
  readonly ids: Int32Array;
  /** Number of features. */
  readonly count: number;
}

/**
 * The JSON Schema of the `mask` option shared by the four methods. `type` chooses the kind; the other fields are
 * checked for that kind only (if/then), so a mistake is reported once, against the kind the user meant.
 */
export const maskSchema = {
  type: 'object',
  description: 'How the input is cut into features: a grid of cells, SLIC-like superpixels of the image, or an npy file of ids.',
  properties: {
    type: { enum: ['grid', 'superpixels', 'npy'], description: 'The kind of mask.' },
    size: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2, description: 'grid: cell [height, width] in pixels.' },
    segments: { type: 'integer', minimum: 1, description: 'superpixels: wanted number of segments.' },
    compactness: { type: 'number', exclusiveMinimum: 0, description: 'superpixels: weight of the spatial distance (intensities in [0, 1]).' },
    iterations: { type: 'integer', minimum: 1, description: 'superpixels: k-means iterations.' },
    file: { type: 'string', minLength: 1, description: 'npy: path of an array of integer ids, relative to the experiment.' },
  },
  required: ['type'],
  allOf: [
    kind('grid', ['size'], []),
    kind('superpixels', ['segments'], ['compactness', 'iterations']),
    kind('npy', ['file'], []),
  ],
} as const;

/** The if/then clause of one kind of mask: its required fields, and no field of another kind. */
function kind(type: string, required: readonly string[], optional: readonly string[]) {
  return {
    if: { properties: { type: { const: type } }, required: ['type'] },
    then: { required, properties: Object.fromEntries(['type', ...required, ...optional].map((p) => [p, true])), additionalProperties: false },
  };
}

/** The grid mask over `[H, W]`: cell (i, j) of `size` pixels has id i · columns + j. */
export function gridMask(height: number, width: number, size: readonly [number, number]): FeatureMask {
  const [ch, cw] = size;
  const columns = Math.ceil(width / cw);
  const ids = new Int32Array(height * width);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) ids[y * width + x] = Math.floor(y / ch) * columns + Math.floor(x / cw);
  return { shape: [height, width], ids, count: Math.ceil(height / ch) * columns };
}

/**
 * Renumbers ids to 0 … count − 1 in increasing order of the original ids, so that gaps in a user's numbering do not
 * count as features. (Captum shifts the smallest id to 0 but keeps gaps: an unused id is a feature that changes
 * nothing, which changes the draws of KernelSHAP and LIME. Without gaps both agree.)
 */
export function compactIds(values: ArrayLike<number>, shape: readonly number[]): FeatureMask {
  const distinct = [...new Set(Array.from(values))].sort((a, b) => a - b);
  const index = new Map(distinct.map((v, i) => [v, i]));
  return { shape, ids: Int32Array.from(values, (v) => index.get(v)!), count: distinct.length };
}

/**
 * Builds the mask a method's options ask for, for the input `x` `[1, …S]`.
 * @param spec - the `mask` option
 * @param x - the attributed input (superpixels are computed from it)
 * @param baseDir - folder a relative npy path is resolved against (default: the working directory)
 * @param method - names the method in errors
 * @throws EnvisionError `E_CONFIG` when the mask does not fit the input; `E_FILE`/`E_NPY` for an unreadable file
 */
export async function buildMask(spec: MaskSpec, x: Tensor<'float32'>, baseDir: string | undefined, method: string): Promise<FeatureMask> {
  const size = x.shape.slice(1);
  if (spec.type === 'npy') return npyMask(resolve(baseDir ?? process.cwd(), spec.file), size, method);
  if (size.length < 2) throw new EnvisionError('E_CONFIG', `${method}: a ${spec.type} mask needs an input with height and width, got shape ${formatShape(x.shape)}`);
  const [height, width] = size.slice(-2) as [number, number];
  if (spec.type === 'grid') return gridMask(height, width, spec.size);
  const channels = sizeOf(size.slice(0, -2));
  return superpixels(x.data, channels, height, width, { segments: spec.segments, compactness: spec.compactness ?? 0.1, iterations: spec.iterations ?? 10 });
}

/** Reads an npy mask and checks it against the input's shape after the batch `size`. */
export async function npyMask(path: string, size: readonly number[], method: string): Promise<FeatureMask> {
  const t = await readNpy(path);
  // Leading axes of length 1 are dropped; what is left must be the input's trailing dimensions.
  let shape = [...t.shape];
  while (shape.length > 0 && shape[0] === 1 && shape.length > Math.min(2, size.length)) shape = shape.slice(1);
  const suffix = size.slice(size.length - shape.length);
  if (shape.length === 0 || shape.length > size.length || suffix.some((d, i) => d !== shape[i])) {
    throw new EnvisionError(
      'E_CONFIG',
      `${method}: mask ${path} has shape ${formatShape(t.shape)}; expected the input's trailing dimensions, e.g. [${size.slice(-2).join(', ')}] or [${size.join(', ')}]`,
    );
  }
  const values = Array.from(t.data as ArrayLike<number | bigint>, Number);
  const bad = values.findIndex((v) => !Number.isInteger(v) || v < 0);
  if (bad >= 0) throw new EnvisionError('E_CONFIG', `${method}: mask ${path} holds ${values[bad]} at flat index ${bad}; feature ids must be integers ≥ 0`);
  return compactIds(values, shape);
}

/**
 * Writes into `out` the input with the features where `present[f]` is 0 replaced by `baseline`
 * (Captum's `x · m + baseline · (1 − m)` with m the coalition broadcast through the mask).
 */
export function composeInput(x: ArrayLike<number>, mask: FeatureMask, present: ArrayLike<number>, baseline: number, out: Float32Array): void {
  const plane = mask.ids.length;
  for (let i = 0; i < out.length; i++) out[i] = present[mask.ids[i % plane]!] ? x[i]! : baseline;
}

/** Spreads one value per feature to every input element: `maps[r, i] = values[r, id(i)]`, `[K, n]` from `[K, count]`. */
export function spreadToInput(values: ArrayLike<number>, k: number, mask: FeatureMask, n: number): Float32Array {
  const plane = mask.ids.length;
  const maps = new Float32Array(k * n);
  for (let r = 0; r < k; r++) for (let i = 0; i < n; i++) maps[r * n + i] = values[r * mask.count + mask.ids[i % plane]!]!;
  return maps;
}

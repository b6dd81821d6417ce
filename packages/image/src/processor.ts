import { EnvisionError, type Tensor, tensor } from '@envision/core';
import type { RgbImage } from './decode-rgb.js';
import { type ResampleFilter, resampleU8 } from './resample.js';

/** An output size in pixels. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

/**
 * The size an image of `width × height` is resized to so that its shortest edge is `shortest`, the aspect kept:
 * transformers' `get_resize_output_image_size(…, default_to_square=False)` — the long edge is
 * `floor(shortest · long / short)`, and a square stays square.
 */
export function shortestEdgeSize(width: number, height: number, shortest: number): Size {
  if (width <= height) return { width: shortest, height: Math.trunc((shortest * height) / width) };
  return { width: Math.trunc((shortest * width) / height), height: shortest };
}

/**
 * PIL's `Image.resize((width, height), filter)` of an RGB image (each channel resampled on its own with the same
 * taps, as libImaging does): CLIP's resize after {@link shortestEdgeSize}, and SigLIP's squash resize.
 */
export function resizeRgb(image: RgbImage, size: Size, filter: ResampleFilter): RgbImage {
  const n = image.width * image.height;
  const m = size.width * size.height;
  const out = new Uint8Array(m * 3);
  const plane = new Uint8Array(n);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) plane[i] = image.data[3 * i + c]!;
    const resized = resampleU8(plane, image.width, image.height, size.width, size.height, filter);
    for (let i = 0; i < m; i++) out[3 * i + c] = resized[i]!;
  }
  return { width: size.width, height: size.height, data: out };
}

/** Python's round-half-to-even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Where a crop of length `crop` starts in an image of length `length` (negative: zero padding before the image).
 * `floor`: transformers' `center_crop`, floor((length − crop) / 2) — padding by ceil(d / 2) and cropping at
 * floor(−d / 2) + ceil(d / 2) = 0 reads at the same place. `round`: torchvision's `CenterCrop`,
 * round-half-even((length − crop) / 2), and, when the image is smaller, padding floor(d / 2) before it.
 */
export function cropOffset(length: number, crop: number, rounding: 'floor' | 'round'): number {
  const d = length - crop;
  if (rounding === 'floor') return Math.floor(d / 2);
  return d >= 0 ? roundHalfEven(d / 2) : -Math.floor(-d / 2);
}

/**
 * A center crop to `size`, zero-padded where the image is smaller: transformers' `center_crop` (`floor`, the default)
 * or torchvision's `CenterCrop` (`round`, open_clip's), see {@link cropOffset}.
 */
export function centerCropRgb(image: RgbImage, size: Size, rounding: 'floor' | 'round' = 'floor'): RgbImage {
  const { width: W, height: H } = image;
  const { width: w, height: h } = size;
  const top = cropOffset(H, h, rounding);
  const left = cropOffset(W, w, rounding);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const sy = y + top;
    if (sy < 0 || sy >= H) continue;
    for (let x = 0; x < w; x++) {
      const sx = x + left;
      if (sx < 0 || sx >= W) continue;
      out.set(image.data.subarray(3 * (sy * W + sx), 3 * (sy * W + sx) + 3), 3 * (y * w + x));
    }
  }
  return { width: w, height: h, data: out };
}

/** What {@link normalizeRgb} applies per channel: transformers' `rescale_factor`, `image_mean`, `image_std`. */
export interface Normalization {
  /** Multiplies each 8-bit level first, e.g. 1/255. */
  readonly rescaleFactor: number;
  /** Per-channel mean (R, G, B) subtracted after rescaling. */
  readonly mean: readonly [number, number, number];
  /** Per-channel standard deviation (R, G, B) divided by last. */
  readonly std: readonly [number, number, number];
  /**
   * Divide the levels by this number in float32 instead of multiplying by `rescaleFactor` (torchvision's `ToTensor`
   * divides by 255, open_clip's transform).
   */
  readonly divideBy?: number;
}

/**
 * An RGB image as the model's `pixel_values`, float32 `[1, 3, H, W]`, computed as transformers' `rescale` and
 * `normalize` compute it: `float32(float64(v) · rescaleFactor)` (or torchvision's `float32(v / divideBy)`), then
 * `(x − mean) / std` in float32 arithmetic.
 *
 * @throws EnvisionError `E_CONFIG` when a factor, mean or std is not finite or a std is 0
 */
export function normalizeRgb(image: RgbImage, normalization: Normalization): Tensor<'float32'> {
  const { rescaleFactor, mean, std, divideBy } = normalization;
  for (const [name, values] of [['rescaleFactor', [rescaleFactor]], ['mean', mean], ['std', std], ['divideBy', divideBy === undefined ? [] : [divideBy]]] as const) {
    if (!values.every((v) => Number.isFinite(v)) || ((name === 'std' || name === 'divideBy') && values.some((v) => v === 0))) {
      const nonZero = name === 'std' || name === 'divideBy';
      throw new EnvisionError('E_CONFIG', `image ${name} must be finite${nonZero ? ' and non-zero' : ''}, got ${JSON.stringify(values)}`);
    }
  }
  const { width, height, data } = image;
  const n = width * height;
  const out = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) {
    const m = Math.fround(mean[c]!);
    const s = Math.fround(std[c]!);
    if (divideBy === undefined) for (let i = 0; i < n; i++) out[c * n + i] = Math.fround(Math.fround(data[3 * i + c]! * rescaleFactor) - m) / s;
    else for (let i = 0; i < n; i++) out[c * n + i] = Math.fround(Math.fround(data[3 * i + c]! / divideBy) - m) / s;
  }
  return tensor('float32', [1, 3, height, width], out);
}

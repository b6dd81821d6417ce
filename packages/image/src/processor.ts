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

/**
 * transformers' `center_crop`: the window of `size` whose top-left corner is at
 * (floor((H − h) / 2), floor((W − w) / 2)); where the image is smaller than the window it is first padded with zeros,
 * ceil((h − H) / 2) rows above and ceil((w − W) / 2) columns to the left.
 */
export function centerCropRgb(image: RgbImage, size: Size): RgbImage {
  const { width: W, height: H } = image;
  const { width: w, height: h } = size;
  // Padding by ceil(d / 2) and cropping at floor(−d / 2) + ceil(d / 2) = 0 is the same as reading at floor(−d / 2).
  const top = Math.floor((H - h) / 2);
  const left = Math.floor((W - w) / 2);
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
}

/**
 * An RGB image as the model's `pixel_values`, float32 `[1, 3, H, W]`, computed as transformers' `rescale` and
 * `normalize` compute it: `float32(float64(v) · rescaleFactor)`, then `(x − mean) / std` in float32 arithmetic.
 *
 * @throws EnvisionError `E_CONFIG` when a factor, mean or std is not finite or a std is 0
 */
export function normalizeRgb(image: RgbImage, normalization: Normalization): Tensor<'float32'> {
  const { rescaleFactor, mean, std } = normalization;
  for (const [name, values] of [['rescaleFactor', [rescaleFactor]], ['mean', mean], ['std', std]] as const) {
    if (!values.every((v) => Number.isFinite(v)) || (name === 'std' && values.some((v) => v === 0))) {
      throw new EnvisionError('E_CONFIG', `image ${name} must be finite${name === 'std' ? ' and non-zero' : ''}, got ${JSON.stringify(values)}`);
    }
  }
  const { width, height, data } = image;
  const n = width * height;
  const out = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) {
    const m = Math.fround(mean[c]!);
    const s = Math.fround(std[c]!);
    for (let i = 0; i < n; i++) out[c * n + i] = Math.fround(Math.fround(data[3 * i + c]! * rescaleFactor) - m) / s;
  }
  return tensor('float32', [1, 3, height, width], out);
}

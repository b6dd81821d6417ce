import sharp from 'sharp';
import { EnvisionError, describeCause, type Tensor, formatShape, writeFileAtomic } from '@envision/onnx-grad';
import { type Sign, mapGeometry, normalizeAttr, sumChannels } from './normalize.js';
import { colorize } from './colormap.js';

/** An 8-bit image, row-major and pixel-interleaved: `width · height · channels` bytes. */
export interface OverlayImage {
  /** The pixel bytes. */
  readonly data: Uint8Array;
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** 1 (gray), 3 (RGB) or 4 (RGBA; the alpha channel is ignored). */
  readonly channels: 1 | 3 | 4;
}

/** Options of {@link renderOverlay}. */
export interface OverlayOptions {
  /** The attribution map, `[H, W]`, `[C, H, W]` or `[1, C, H, W]`; channels are summed. */
  readonly map: Tensor<'float32'>;
  /**
   * The image to draw underneath, in grayscale (Captum's `blended_heat_map`). Without it the heat map is drawn
   * alone at the map's size (Captum's `heat_map`).
   */
  readonly image?: OverlayImage | undefined;
  /**
   * Which attributions to show.
   * @default 'absolute_value'
   */
  readonly sign?: Sign | undefined;
  /**
   * Percentage of the attribution mass treated as outliers and clipped to the end of the colour map.
   * @default 2
   */
  readonly outlierPerc?: number | undefined;
  /**
   * Opacity of the heat map over the image (Captum's `alpha_overlay`); unused without an image.
   * @default 0.5
   */
  readonly alpha?: number | undefined;
}

/**
 * Renders an attribution map as Captum's `visualize_image_attr` does, to PNG bytes.
 *
 * The map is summed over channels and normalised for the sign ({@link normalizeAttr}), then coloured with the sign's
 * map ({@link colorize}). With an `image` this is `blended_heat_map`: the image's channel mean is drawn in gray,
 * stretched from its minimum (black) to its maximum (white) as matplotlib's `imshow(..., cmap="gray")` does (a
 * uniform image is therefore black), and each output byte is `round(alpha · heat + (1 − alpha) · gray)`, rounding
 * halves up; NaN attributions leave the gray image showing. Without an image it is `heat_map`: the coloured map
 * alone, RGB, at the map's size (NaN drawn white).
 *
 * When the map and the image differ in size, the coloured heat map is resized to the image's size with
 * nearest-neighbour sampling (sharp's `nearest` kernel, stretching if the aspect ratios differ), so every output pixel
 * shows the colour of exactly one map value: coarse maps (occlusion windows, patches) keep their blocks visible.
 * Captum itself requires equal sizes.
 *
 * @param options - the map, optional image, sign, outlier percentage and opacity
 * @returns the PNG file's bytes (RGB, 8 bits per channel)
 * @throws EnvisionError `E_INPUT` for a map or image of the wrong shape, `E_CONFIG` for options out of range,
 * `E_IMAGE` when sharp cannot resize or encode
 */
export async function renderOverlay(options: OverlayOptions): Promise<Uint8Array> {
  const { map, image, sign = 'absolute_value', outlierPerc = 2, alpha = 0.5 } = options;
  if (!(alpha >= 0 && alpha <= 1)) throw new EnvisionError('E_CONFIG', `overlay alpha must be between 0 and 1, got ${alpha}`);
  const { height, width } = mapGeometry(map.shape);
  const normalized = normalizeAttr(sumChannels(map), sign, outlierPerc);
  const heat = colorize(normalized, sign);
  if (image === undefined) return encodePng(heat, width, height, 3);

  checkImage(image);
  // RGBA heat map: alpha 0 marks NaN, so the image shows through there after any resize.
  let heatRgba: Uint8Array = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    heatRgba[p * 4] = heat[p * 3]!;
    heatRgba[p * 4 + 1] = heat[p * 3 + 1]!;
    heatRgba[p * 4 + 2] = heat[p * 3 + 2]!;
    heatRgba[p * 4 + 3] = Number.isNaN(normalized[p]!) ? 0 : 255;
  }
  if (width !== image.width || height !== image.height) {
    heatRgba = await resizeNearest(heatRgba, width, height, image.width, image.height);
  }
  const gray = grayUnderlay(image);
  const out = new Uint8Array(image.width * image.height * 3);
  for (let p = 0; p < gray.length; p++) {
    const a = alpha * (heatRgba[p * 4 + 3]! / 255);
    const g = (1 - a) * gray[p]!;
    out[p * 3] = Math.round(a * heatRgba[p * 4]! + g);
    out[p * 3 + 1] = Math.round(a * heatRgba[p * 4 + 1]! + g);
    out[p * 3 + 2] = Math.round(a * heatRgba[p * 4 + 2]! + g);
  }
  return encodePng(out, image.width, image.height, 3);
}

/**
 * Renders an overlay ({@link renderOverlay}) and writes it atomically to a PNG file.
 *
 * @param path - destination file; its folder is created
 * @param options - as for {@link renderOverlay}
 * @throws EnvisionError as {@link renderOverlay}, and `E_FILE` when the file cannot be written
 */
export async function writeOverlayPng(path: string, options: OverlayOptions): Promise<void> {
  await writeFileAtomic(path, await renderOverlay(options));
}

/**
 * Turns a model's normalised input back into a grayscale underlay: per channel `x · std[c] + mean[c]` (values
 * assumed in [0, 1]), clipped to [0, 1] and scaled to 0–255, then averaged over channels and rounded.
 *
 * @param pixels - the model input, `[1, C, H, W]` or `[C, H, W]`
 * @param mean - the per-channel mean the preprocessing subtracted (one value, or one per channel)
 * @param std - the per-channel standard deviation it divided by (one value, or one per channel)
 * @returns a one-channel image of size W × H
 * @throws EnvisionError `E_INPUT` for another shape, or `mean`/`std` of a length other than 1 or C
 */
export function imageFromTensor(pixels: Tensor<'float32'>, mean: readonly number[], std: readonly number[]): OverlayImage {
  const shape = pixels.shape;
  const dims = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape;
  if (dims.length !== 3) {
    throw new EnvisionError('E_INPUT', `image tensor of shape ${formatShape(shape)}: expected [1, C, H, W] or [C, H, W]`);
  }
  const [channels, height, width] = dims as [number, number, number];
  for (const [name, v] of [['mean', mean], ['std', std]] as const) {
    if (v.length !== 1 && v.length !== channels) {
      throw new EnvisionError('E_INPUT', `image tensor with ${channels} channels: ${name} has ${v.length} values, expected 1 or ${channels}`);
    }
  }
  const plane = width * height;
  const data = new Uint8Array(plane);
  for (let p = 0; p < plane; p++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const v = pixels.data[c * plane + p]! * std[std.length === 1 ? 0 : c]! + mean[mean.length === 1 ? 0 : c]!;
      sum += Math.min(1, Math.max(0, v)) * 255;
    }
    data[p] = Math.round(sum / channels);
  }
  return { data, width, height, channels: 1 };
}

function checkImage(image: OverlayImage): void {
  const { data, width, height, channels } = image;
  if (![1, 3, 4].includes(channels)) throw new EnvisionError('E_INPUT', `overlay image: channels must be 1, 3 or 4, got ${channels}`);
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new EnvisionError('E_INPUT', `overlay image: width and height must be positive integers, got ${width} × ${height}`);
  }
  if (data.length !== width * height * channels) {
    throw new EnvisionError('E_INPUT', `overlay image: ${width} × ${height} × ${channels} needs ${width * height * channels} bytes, got ${data.length}`);
  }
}

/**
 * The image's channel mean (alpha excluded) as matplotlib draws it with `cmap="gray"` and default limits: scaled
 * linearly from its minimum to its maximum and looked up in the 256-entry gray table, `floor(256 · t)` capped at 255.
 */
function grayUnderlay(image: OverlayImage): Uint8Array {
  const { data, width, height, channels } = image;
  const colour = channels === 1 ? 1 : 3;
  const m = new Float64Array(width * height);
  let lo = Infinity;
  let hi = -Infinity;
  for (let p = 0; p < m.length; p++) {
    let s = 0;
    for (let c = 0; c < colour; c++) s += data[p * channels + c]!;
    const v = (m[p] = s / colour);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const gray = new Uint8Array(m.length);
  if (hi > lo) for (let p = 0; p < m.length; p++) gray[p] = Math.min(255, Math.floor(((m[p]! - lo) / (hi - lo)) * 256));
  return gray;
}

async function resizeNearest(rgba: Uint8Array, width: number, height: number, toWidth: number, toHeight: number): Promise<Uint8Array> {
  try {
    return await sharp(rgba, { raw: { width, height, channels: 4 } })
      .resize(toWidth, toHeight, { kernel: 'nearest', fit: 'fill' })
      .raw()
      .toBuffer();
  } catch (e) {
    throw new EnvisionError('E_IMAGE', `cannot resize a ${width} × ${height} heat map to ${toWidth} × ${toHeight}: ${describeCause(e)}`, e);
  }
}

async function encodePng(raw: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Promise<Uint8Array> {
  try {
    return await sharp(raw, { raw: { width, height, channels } }).png().toBuffer();
  } catch (e) {
    throw new EnvisionError('E_IMAGE', `cannot encode a ${width} × ${height} PNG: ${describeCause(e)}`, e);
  }
}

import { EnvisionError, type Tensor, formatShape, tensor } from '@envision/core';
import { type TokenLayout, asGrid } from './grid.js';
import { type Upsampling, upsample } from './upsample.js';

/**
 * K maps of `h × w` resized to the image input `[1, C, H, W]` (Captum's `LayerAttribution.interpolate`) and spread
 * evenly over its C channels, so that the channel sum a renderer draws is the map: float32 `[K, C, H, W]`.
 * @throws EnvisionError `E_METHOD` when the input is not an image
 */
export function spreadToInput(planes: Float32Array, k: number, h: number, w: number, x: Tensor<'float32'>, mode: Upsampling, method: string): Tensor<'float32'> {
  if (x.shape.length !== 4) throw new EnvisionError('E_METHOD', `${method}: upsampling needs an image input [1, C, H, W], got ${formatShape(x.shape)} (use upsample: none)`);
  const [, channels, H, W] = x.shape as [number, number, number, number];
  const up = upsample(planes, k, h, w, H, W, mode);
  const out = new Float32Array(k * channels * H * W);
  for (let r = 0; r < k; r++) for (let c = 0; c < channels; c++) for (let p = 0; p < H * W; p++) out[(r * channels + c) * H * W + p] = up[r * H * W + p]! / channels;
  return tensor('float32', [k, channels, H, W], out);
}

/** A layer-shaped map `[K, …A]` summed over the layer's channels and spread to the input (see {@link spreadToInput}). */
export function layerMapToInput(maps: Tensor<'float32'>, x: Tensor<'float32'>, layout: TokenLayout, layer: string, mode: Upsampling, method: string): Tensor<'float32'> {
  const grid = asGrid(maps, layout, layer);
  const [k, c, h, w] = grid.shape as [number, number, number, number];
  const summed = new Float32Array(k * h * w);
  for (let r = 0; r < k; r++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) summed[r * h * w + p]! += grid.data[(r * c + ch) * h * w + p]!;
  return spreadToInput(summed, k, h, w, x, mode, method);
}

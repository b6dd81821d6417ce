import type { Tensor } from '@envision/onnx-grad';

/**
 * The preprocessed image as 8-bit greyscale for the overlay's underlay: the channel mean, stretched min–max to 0–255.
 * For a linear normalisation ((v − mean) / std) this recovers the picture up to contrast, whatever the adapter.
 */
export function displayImage(pixels: Tensor<'float32'>): { data: Uint8Array; width: number; height: number; channels: 1 } {
  const [, c, h, w] = pixels.shape as [number, number, number, number];
  const plane = h * w;
  const mean = new Float32Array(plane);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < plane; i++) mean[i]! += pixels.data[ch * plane + i]! / c;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of mean) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const data = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) data[i] = Math.round((mean[i]! - lo) * scale);
  return { data, width: w, height: h, channels: 1 };
}

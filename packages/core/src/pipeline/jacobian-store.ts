import { attribute, identityWeights } from '../attribute.js';
import type { AttributionMethod } from '../method.js';
import type { Model } from '../model.js';
import { sumChannels } from '../render/normalize.js';
import { type Tensor, sizeOf, tensor } from '../tensor.js';

/**
 * The paper's literal step 1: the M per-dimension maps of one image for one method, channel-summed, `[M, H, W]`.
 * Computed once, then every prompt is fused from it without touching the model again.
 */
export async function perDimensionMaps(
  method: AttributionMethod,
  options: Record<string, unknown>,
  model: Model,
  input: string,
  output: string,
  pixels: Tensor<'float32'>,
  embeddingDim: number,
  onProgress?: (done: number, total: number) => void,
): Promise<{ maps: Tensor<'float32'>; milliseconds: number }> {
  const started = performance.now();
  const outcome = await attribute({
    method,
    options,
    model,
    inputs: { [input]: pixels },
    wrt: input,
    of: output,
    weights: identityWeights([embeddingDim]),
    strategy: 'direct',
    ...(onProgress ? { onProgress } : {}),
  });
  const [m, c, h, w] = outcome.maps.shape as [number, number, number, number];
  const plane = h * w;
  const summed = new Float32Array(m * plane);
  for (let i = 0; i < m; i++) summed.set(sumChannels(tensor('float32', [c, h, w], outcome.maps.data.subarray(i * c * plane, (i + 1) * c * plane))), i * plane);
  return { maps: tensor('float32', [m, h, w], summed), milliseconds: performance.now() - started };
}

/** Fuses stored per-dimension maps `[M, H, W]` with weights `[R, M]`: map_r = Σ_i w_r,i · map_i, `[R, H, W]`. */
export function fuseStored(store: Tensor<'float32'>, weights: Tensor<'float32'>): Tensor<'float32'> {
  const m = store.shape[0]!;
  const inner = store.shape.slice(1);
  const n = sizeOf(inner);
  const r = weights.shape[0]!;
  const out = new Float32Array(r * n);
  for (let k = 0; k < r; k++) {
    const row = out.subarray(k * n, (k + 1) * n);
    for (let i = 0; i < m; i++) {
      const w = weights.data[k * m + i]!;
      if (w === 0) continue;
      const map = store.data.subarray(i * n, (i + 1) * n);
      for (let j = 0; j < n; j++) row[j]! += w * map[j]!;
    }
  }
  return tensor('float32', [r, ...inner], out);
}

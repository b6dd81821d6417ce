import { EnvisionError, type Tensor, formatShape, tensor } from '@envision/core';

/**
 * How a layer's activation `[B, …]` is laid out: `none` — a feature map `[B, C, h, w]`; `all` — tokens `[B, N, C]`
 * that are all patches of a square grid (Swin, SigLIP); `drop-first` — tokens whose first is a class token, dropped
 * (ViT, CLIP).
 */
export type TokenLayout = 'none' | 'all' | 'drop-first';

/**
 * The activation (or its gradient) as a feature map `[B, C, h, w]`: a token tensor `[B, N, C]` becomes the patch grid,
 * token i at row ⌊i / side⌋, column i mod side, with N (after dropping the class token) = side².
 * @throws EnvisionError `E_METHOD` naming the layer when the shape does not fit the layout
 */
export function asGrid(t: Tensor<'float32'>, layout: TokenLayout, layer: string): Tensor<'float32'> {
  if (layout === 'none') {
    if (t.shape.length !== 4) throw new EnvisionError('E_METHOD', `layer '${layer}' is ${formatShape(t.shape)}; a feature map [B, C, h, w] is needed (or option tokens: all | drop-first for [B, N, C])`);
    return t;
  }
  if (t.shape.length !== 3) throw new EnvisionError('E_METHOD', `layer '${layer}' is ${formatShape(t.shape)}; option tokens needs [B, N, C]`);
  const [b, n, c] = t.shape as [number, number, number];
  const skip = layout === 'drop-first' ? 1 : 0;
  const side = Math.round(Math.sqrt(n - skip));
  if (side * side !== n - skip) throw new EnvisionError('E_METHOD', `layer '${layer}' has ${n - skip} patch tokens, not a square grid (tokens: ${layout})`);
  const out = new Float32Array(b * c * side * side);
  for (let i = 0; i < b; i++)
    for (let p = 0; p < side * side; p++)
      for (let ch = 0; ch < c; ch++) out[((i * c + ch) * side * side) + p] = t.data[(i * n + p + skip) * c + ch]!;
  return tensor('float32', [b, c, side, side], out);
}

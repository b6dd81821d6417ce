/**
 * PyTorch's `F.interpolate` of one `[h, w]` plane to `[H, W]`, as Captum's `LayerAttribution.interpolate` calls it:
 * `nearest` reads source pixel floor(dst · in / out); `bilinear` (align_corners = False) reads at
 * max(0, (dst + ½) · in / out − ½) and blends its two neighbours on each axis.
 */
export type Upsampling = 'nearest' | 'bilinear';

/** Source coordinates and weights of one axis: for each output index, two input indices and the weight of the second. */
function axis(inSize: number, outSize: number, mode: Upsampling): { lo: Int32Array; hi: Int32Array; t: Float64Array } {
  const scale = inSize / outSize;
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const t = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    if (mode === 'nearest') {
      lo[o] = hi[o] = Math.min(Math.floor(o * scale), inSize - 1);
      continue;
    }
    const src = Math.max(0, (o + 0.5) * scale - 0.5);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    lo[o] = i0;
    hi[o] = Math.min(i0 + 1, inSize - 1);
    t[o] = src - i0;
  }
  return { lo, hi, t };
}

/**
 * Resizes `planes` planes of `h × w` (row-major, one after another) to `H × W`.
 * @returns `planes · H · W` values
 */
export function upsample(data: ArrayLike<number>, planes: number, h: number, w: number, H: number, W: number, mode: Upsampling): Float32Array {
  const ys = axis(h, H, mode);
  const xs = axis(w, W, mode);
  const out = new Float32Array(planes * H * W);
  for (let p = 0; p < planes; p++) {
    const src = p * h * w;
    for (let y = 0; y < H; y++) {
      const r0 = src + ys.lo[y]! * w;
      const r1 = src + ys.hi[y]! * w;
      const ty = ys.t[y]!;
      for (let x = 0; x < W; x++) {
        const x0 = xs.lo[x]!;
        const x1 = xs.hi[x]!;
        const tx = xs.t[x]!;
        const top = data[r0 + x0]! * (1 - tx) + data[r0 + x1]! * tx;
        const bottom = data[r1 + x0]! * (1 - tx) + data[r1 + x1]! * tx;
        out[p * H * W + y * W + x] = top * (1 - ty) + bottom * ty;
      }
    }
  }
  return out;
}

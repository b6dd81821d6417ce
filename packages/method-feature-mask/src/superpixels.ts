import type { FeatureMask } from './masks.js';

/** Settings of {@link superpixels}. */
export interface SuperpixelOptions {
  /** Wanted number of segments. */
  readonly segments: number;
  /** SLIC's m: the weight of the spatial distance, in units of the [0, 1]-scaled intensity per grid step. */
  readonly compactness: number;
  /** k-means iterations (assignment, then update). */
  readonly iterations: number;
}

/**
 * SLIC-like superpixels (Achanta et al. 2012) of an image, deterministic (no random draw):
 *
 * 1. **Space.** Every pixel is a point (v₁ … v_C, y, x): its C channel values, all scaled together to [0, 1] by the
 *    image's minimum and maximum (one affine map for all channels, so the preprocessed image is used as it is, not
 *    converted to Lab), and its row and column.
 * 2. **Seeds.** A grid of gy × gx centres, gy = max(1, round(√(segments · H / W))), gx = max(1, round(segments / gy))
 *    (each at most the image side); centre (i, j) starts at pixel (⌊(i + ½) H / gy⌋, ⌊(j + ½) W / gx⌋) with that
 *    pixel's values. S = √(H W / (gy gx)) is the grid step.
 * 3. **Distance.** D² = (1/C) Σ_c (v_c − μ_c)² + (m / S)² ((y − c_y)² + (x − c_x)²), m = `compactness`.
 * 4. **Iterations.** Each pixel goes to the centre of smallest D among the centres whose 2S × 2S window
 *    (|y − c_y| ≤ S, |x − c_x| ≤ S) holds it (centres in index order, the first of equal distances wins; a pixel in no
 *    window goes to the centre of smallest D overall); then each centre moves to the mean (values, y, x) of its
 *    pixels (a centre without pixels stays). `iterations` times, in float64.
 * 5. **Connectivity.** 4-connected components of equal label, in raster order of their first pixel, become the
 *    segments; a component smaller than ⌊H W / (4 gy gx)⌋ pixels joins the segment of the pixel left of (else above)
 *    its first pixel, when there is one. Ids are numbered 0, 1, … in that order.
 *
 * @param data - the image, C order `[C, H, W]` (leading dimensions flattened into C)
 */
export function superpixels(data: ArrayLike<number>, channels: number, height: number, width: number, options: SuperpixelOptions): FeatureMask {
  const plane = height * width;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < channels * plane; i++) {
    lo = Math.min(lo, data[i]!);
    hi = Math.max(hi, data[i]!);
  }
  const scale = hi > lo ? 1 / (hi - lo) : 0;
  const v = Float64Array.from({ length: channels * plane }, (_, i) => (data[i]! - lo) * scale);

  const gy = Math.min(height, Math.max(1, Math.round(Math.sqrt((options.segments * height) / width))));
  const gx = Math.min(width, Math.max(1, Math.round(options.segments / gy)));
  const k = gy * gx;
  const step = Math.sqrt(plane / k);
  const weight = (options.compactness / step) ** 2;
  // Centre c: values at c * (channels + 2), then y, x.
  const dim = channels + 2;
  const centres = new Float64Array(k * dim);
  for (let i = 0; i < gy; i++) {
    for (let j = 0; j < gx; j++) {
      const y = Math.floor(((i + 0.5) * height) / gy);
      const x = Math.floor(((j + 0.5) * width) / gx);
      const c = (i * gx + j) * dim;
      for (let ch = 0; ch < channels; ch++) centres[c + ch] = v[ch * plane + y * width + x]!;
      centres[c + channels] = y;
      centres[c + channels + 1] = x;
    }
  }

  const distance = (p: number, c: number): number => {
    const y = Math.floor(p / width);
    const x = p - y * width;
    let colour = 0;
    for (let ch = 0; ch < channels; ch++) colour += (v[ch * plane + p]! - centres[c * dim + ch]!) ** 2;
    const dy = y - centres[c * dim + channels]!;
    const dx = x - centres[c * dim + channels + 1]!;
    return colour / channels + weight * (dy * dy + dx * dx);
  };

  const labels = new Int32Array(plane);
  const best = new Float64Array(plane);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    best.fill(Infinity);
    labels.fill(-1);
    for (let c = 0; c < k; c++) {
      const cy = centres[c * dim + channels]!;
      const cx = centres[c * dim + channels + 1]!;
      for (let y = Math.max(0, Math.ceil(cy - step)); y <= Math.min(height - 1, Math.floor(cy + step)); y++) {
        for (let x = Math.max(0, Math.ceil(cx - step)); x <= Math.min(width - 1, Math.floor(cx + step)); x++) {
          const p = y * width + x;
          const d = distance(p, c);
          if (d < best[p]!) {
            best[p] = d;
            labels[p] = c;
          }
        }
      }
    }
    for (let p = 0; p < plane; p++) {
      if (labels[p] !== -1) continue;
      for (let c = 0; c < k; c++) {
        const d = distance(p, c);
        if (d < best[p]!) {
          best[p] = d;
          labels[p] = c;
        }
      }
    }
    const sums = new Float64Array(k * dim);
    const counts = new Float64Array(k);
    for (let p = 0; p < plane; p++) {
      const c = labels[p]!;
      counts[c]!++;
      for (let ch = 0; ch < channels; ch++) sums[c * dim + ch]! += v[ch * plane + p]!;
      sums[c * dim + channels]! += Math.floor(p / width);
      sums[c * dim + channels + 1]! += p % width;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue;
      for (let e = 0; e < dim; e++) centres[c * dim + e] = sums[c * dim + e]! / counts[c]!;
    }
  }
  return connectedSegments(labels, height, width, Math.floor(plane / (4 * k)));
}

/** Step 5 of {@link superpixels}: 4-connected components in raster order, small ones merged left or up. */
function connectedSegments(labels: Int32Array, height: number, width: number, minSize: number): FeatureMask {
  const plane = height * width;
  const ids = new Int32Array(plane).fill(-1);
  const stack: number[] = [];
  let next = 0;
  for (let start = 0; start < plane; start++) {
    if (ids[start] !== -1) continue;
    const label = labels[start]!;
    const component: number[] = [];
    ids[start] = next;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      component.push(p);
      const y = Math.floor(p / width);
      const x = p - y * width;
      for (const q of [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, y > 0 ? p - width : -1, y < height - 1 ? p + width : -1]) {
        if (q >= 0 && ids[q] === -1 && labels[q] === label) {
          ids[q] = next;
          stack.push(q);
        }
      }
    }
    const x0 = start % width;
    const neighbour = x0 > 0 ? start - 1 : start >= width ? start - width : -1;
    if (component.length < minSize && neighbour >= 0) {
      for (const p of component) ids[p] = ids[neighbour]!;
    } else {
      next++;
    }
  }
  return { shape: [height, width], ids, count: next };
}

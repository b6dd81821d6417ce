import type { SeededRandom } from '@envision/core';
import type { Frame } from './frame.js';
import type { AnatomyShape } from './anatomy.js';
import { blur } from './raster.js';
import { between } from './seed.js';

/** Anatomical positions of the two hila (`u`, `v`). */
export function hilaOf(shape: AnatomyShape): { right: [number, number]; left: [number, number] } {
  return {
    right: [0.5 - shape.rightLung.medial - 0.04, shape.rightLung.apexV + 0.3],
    left: [0.5 + shape.leftLung.medial + 0.045, shape.leftLung.apexV + 0.28],
  };
}

interface Branch {
  u: number;
  v: number;
  angle: number;
  width: number;
  strength: number;
  length: number;
  depth: number;
}

/** Adds `value` at continuous pixel position `(x, y)` with bilinear weights. */
function splat(plane: Float32Array, size: number, x: number, y: number, value: number): void {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const put = (xx: number, yy: number, w: number) => {
    if (xx >= 0 && yy >= 0 && xx < size && yy < size) plane[yy * size + xx]! += value * w;
  };
  put(x0, y0, (1 - fx) * (1 - fy));
  put(x0 + 1, y0, fx * (1 - fy));
  put(x0, y0 + 1, (1 - fx) * fy);
  put(x0 + 1, y0 + 1, fx * fy);
}

/**
 * Renders the lung markings: pulmonary vessels branching from each hilum toward the periphery, thick and bright
 * centrally, thin and faint laterally, plus a hilar shadow. The plane is to be multiplied by the lung fields (and
 * by 0 where a finding removes the markings).
 *
 * @param rng - the anatomy stream
 * @param frame - pixel ↔ anatomy mapping
 * @param shape - the patient
 * @returns added density, `size · size`
 */
export function renderVessels(rng: SeededRandom, frame: Frame, shape: AnatomyShape): Float32Array {
  const { size } = frame;
  const scale = size / 224;
  const fine = new Float32Array(size * size);
  const coarse = new Float32Array(size * size);
  const hilarPixels: [number, number][] = [];
  const hila = hilaOf(shape);
  const step = 0.006;
  const stepPx = step * frame.pixelsPerUnit;
  const sigmaFine = 0.75 * scale;
  const sigmaCoarse = 1.7 * scale;
  const gain = (sigma: number) => stepPx * Math.sqrt(2 * Math.PI) * sigma;
  for (const [sign, lung, [hu, hv]] of [
    [-1, shape.rightLung, hila.right],
    [1, shape.leftLung, hila.left],
  ] as const) {
    hilarPixels.push(frame.toPixel(hu, hv));
    const stack: Branch[] = [];
    const roots = 12 + rng.integer(5);
    for (let k = 0; k < roots; k++) {
      // 0 = lateral; negative = upward. Upper-lobe vessels go up, lower-lobe vessels fan down.
      const angle = -1.75 + (3.3 * (k + between(rng, 0.1, 0.9))) / roots;
      const r = between(rng, 0.005, 0.03);
      stack.push({
        u: hu + sign * r * Math.cos(angle),
        v: hv + r * Math.sin(angle),
        angle,
        width: between(rng, 0.75, 1),
        strength: between(rng, 0.1, 0.15),
        length: between(rng, 0.22, 0.36),
        depth: 0,
      });
    }
    while (stack.length > 0) {
      const b = stack.pop()!;
      let travelled = 0;
      while (travelled < b.length) {
        b.angle += 0.14 * rng.normal();
        // Keep the general direction away from the hilum and out of the mediastinum.
        b.angle = Math.max(-2.2, Math.min(2.2, b.angle));
        b.u += sign * step * Math.cos(b.angle);
        b.v += step * Math.sin(b.angle);
        travelled += step;
        const a = sign * (b.u - 0.5);
        if (a > lung.lateral + 0.01 || b.v < lung.apexV - 0.01 || b.v > lung.domeV + 0.12 || a < lung.medial - 0.03) break;
        const fade = Math.max(0, 1 - travelled / b.length);
        const value = b.strength * (0.35 + 0.65 * fade);
        const [x, y] = frame.toPixel(b.u, b.v);
        if (b.width > 0.55) splat(coarse, size, x, y, value * gain(sigmaCoarse) * 0.8);
        else splat(fine, size, x, y, value * gain(sigmaFine));
        b.width *= 0.975;
        b.strength *= 0.985;
        if (b.depth < 4 && rng.uniform() < 0.09 && b.length - travelled > 4 * step) {
          const turn = (rng.uniform() < 0.5 ? -1 : 1) * between(rng, 0.35, 0.7);
          stack.push({ ...b, angle: b.angle + turn, width: b.width * 0.7, strength: b.strength * 0.8, length: (b.length - travelled) * 0.75, depth: b.depth + 1 });
          b.angle -= turn * 0.4;
        }
      }
    }
  }
  const out = blur(fine, size, sigmaFine);
  const c = blur(coarse, size, sigmaCoarse);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + c[i]!;
  // Hilar shadows: a Gaussian at each hilum.
  const sigma = 0.035 * frame.pixelsPerUnit;
  const reach = Math.ceil(3 * sigma);
  for (const [hx, hy] of hilarPixels) {
    for (let y = Math.max(0, Math.floor(hy) - reach); y <= Math.min(size - 1, Math.ceil(hy) + reach); y++) {
      for (let x = Math.max(0, Math.floor(hx) - reach); x <= Math.min(size - 1, Math.ceil(hx) + reach); x++) {
        out[y * size + x]! += 0.07 * Math.exp(-((x - hx) ** 2 + (y - hy) ** 2) / (2 * sigma * sigma));
      }
    }
  }
  return out;
}

import type { SeededRandom } from '@envision/core';
import { blur } from './raster.js';
import { between } from './seed.js';

/** Acquisition and display settings of one radiograph, drawn from the noise stream. */
export interface DisplaySettings {
  /** Density shown black. */
  readonly low: number;
  /** Density shown white. */
  readonly high: number;
  /** Gamma applied after windowing. */
  readonly gamma: number;
  /** Standard deviation of the quantum mottle, in display units. */
  readonly noise: number;
  /** Strength of the edge enhancement (unsharp mask). */
  readonly sharpen: number;
}

/** Fills `out` with standard normal numbers, two per Box–Muller transform of two uniforms. */
export function fillNormal(rng: SeededRandom, out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.uniform()));
    const t = 2 * Math.PI * rng.uniform();
    out[i] = r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/**
 * Unit-variance correlated noise, Gaussian-like: white noise (uniform, zero mean, unit variance: one draw per pixel)
 * blurred with `sigma` pixels and rescaled. The blur sums many draws, so the result is close to Gaussian.
 */
export function correlatedNoise(rng: SeededRandom, size: number, sigma: number): Float32Array {
  const white = new Float32Array(size * size);
  const root12 = Math.sqrt(12);
  for (let i = 0; i < white.length; i++) white[i] = (rng.uniform() - 0.5) * root12;
  if (sigma < 0.5) return white;
  const out = blur(white, size, sigma);
  // A 2-D Gaussian blur of unit white noise leaves a standard deviation of about 1 / (2 σ √π).
  const k = 2 * sigma * Math.sqrt(Math.PI);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * k;
  return out;
}

/**
 * Turns a density plane into an 8-bit radiograph: lung parenchymal texture, edge enhancement, a slow gain
 * variation, quantum mottle, then windowing, gamma and rounding. Every random draw comes from `rng` in a fixed
 * order that does not depend on the density, so two phantoms of the same seed share their noise exactly.
 *
 * @param rng - the noise stream
 * @param density - the scene, `size · size`
 * @param textureWeight - where parenchymal texture shows, 0…1 (the lung fields, less where findings hide the markings)
 * @param size - width and height
 * @returns the pixels and the settings drawn
 */
export function develop(rng: SeededRandom, density: Float32Array, textureWeight: Float32Array, size: number): { image: Uint8Array; settings: DisplaySettings } {
  const scale = size / 224;
  const settings: DisplaySettings = {
    low: between(rng, -0.03, 0.05),
    high: between(rng, 0.86, 1.0),
    gamma: between(rng, 0.8, 1.2),
    noise: between(rng, 0.008, 0.022),
    sharpen: between(rng, 0.2, 0.5),
  };
  const texture = correlatedNoise(rng, size, 1.4 * scale);
  const gain = smoothField(rng, size, 6);
  const mottle = correlatedNoise(rng, size, 0.6 * scale);
  const scene = new Float32Array(density.length);
  for (let i = 0; i < scene.length; i++) scene[i] = density[i]! + 0.022 * texture[i]! * textureWeight[i]!;
  const smooth = blur(scene, size, 2.5 * scale);
  const image = new Uint8Array(density.length);
  const { low, high, gamma, noise, sharpen } = settings;
  // Gamma through a table: t quantised to 1/4096 before the power, far below one grey level.
  const levels = 4096;
  const table = new Uint8Array(levels + 1);
  for (let k = 0; k <= levels; k++) table[k] = Math.round(255 * Math.pow(k / levels, gamma));
  const inv = levels / (high - low);
  for (let i = 0; i < scene.length; i++) {
    let d = scene[i]! + sharpen * (scene[i]! - smooth[i]!);
    d = d * (1 + 0.04 * gain[i]!) + noise * mottle[i]!;
    const k = Math.round((d - low) * inv);
    image[i] = table[k < 0 ? 0 : k > levels ? levels : k]!;
  }
  return { image, settings };
}

/**
 * A slowly varying field of unit-order amplitude: a `cells × cells` grid of standard normal values (plus a border),
 * interpolated bicubically (smoothstep weights) over the image.
 *
 * @param rng - where the grid values come from
 * @param size - image width and height
 * @param cells - grid cells across the image
 * @returns `size · size` values
 */
export function smoothField(rng: SeededRandom, size: number, cells: number): Float32Array {
  const n = cells + 1;
  const grid = fillNormal(rng, new Float32Array(n * n));
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const gy = ((y + 0.5) / size) * cells;
    const y0 = Math.min(cells - 1, Math.floor(gy));
    const fy = gy - y0;
    const wy = fy * fy * (3 - 2 * fy);
    for (let x = 0; x < size; x++) {
      const gx = ((x + 0.5) / size) * cells;
      const x0 = Math.min(cells - 1, Math.floor(gx));
      const fx = gx - x0;
      const wx = fx * fx * (3 - 2 * fx);
      const a = grid[y0 * n + x0]! * (1 - wx) + grid[y0 * n + x0 + 1]! * wx;
      const b = grid[(y0 + 1) * n + x0]! * (1 - wx) + grid[(y0 + 1) * n + x0 + 1]! * wx;
      out[y * size + x] = a * (1 - wy) + b * wy;
    }
  }
  return out;
}

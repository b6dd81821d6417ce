import type { SeededRandom } from '@envision/core';
import type { Frame } from './frame.js';
import type { AnatomyShape } from './anatomy.js';
import { between } from './seed.js';

/** Geometry of the bony thorax, in anatomical units. */
export interface SkeletonShape {
  /** `v` of the first posterior rib at the spine. */
  readonly firstRibV: number;
  /** Vertical spacing of the posterior ribs at the spine. */
  readonly ribSpacing: number;
  /** Thickness of a posterior rib. */
  readonly ribThickness: number;
  /** How far a rib drops from the spine to the chest wall. */
  readonly ribDrop: number;
  /** Number of posterior ribs per side. */
  readonly ribs: number;
  /** Per-rib small vertical offsets (left side, then right side). */
  readonly jitter: readonly number[];
  /** `v` of the clavicles' medial ends. */
  readonly clavicleV: number;
  /** `a` of the clavicles' lateral ends. */
  readonly clavicleA: number;
  /** Spine half width. */
  readonly spineHalfWidth: number;
  /** Height of one vertebra. */
  readonly vertebra: number;
  /** Phase of the vertebral pattern. */
  readonly vertebraPhase: number;
}

/**
 * Draws a bony thorax for a patient.
 *
 * @param rng - the anatomy stream
 * @returns the shape
 */
export function sampleSkeleton(rng: SeededRandom): SkeletonShape {
  const ribs = 10;
  return {
    firstRibV: between(rng, 0.075, 0.1),
    ribSpacing: between(rng, 0.054, 0.062),
    ribThickness: between(rng, 0.021, 0.027),
    ribDrop: between(rng, 0.15, 0.19),
    ribs,
    jitter: Array.from({ length: 2 * ribs }, () => between(rng, -0.004, 0.004)),
    clavicleV: between(rng, 0.15, 0.185),
    clavicleA: between(rng, 0.28, 0.33),
    spineHalfWidth: between(rng, 0.032, 0.04),
    vertebra: between(rng, 0.042, 0.05),
    vertebraPhase: rng.uniform(),
  };
}

/** Bones as separate planes of `size · size` values. */
export interface SkeletonPlanes {
  /** Posterior and anterior ribs. */
  readonly ribs: Float32Array;
  /** Clavicles. */
  readonly clavicles: Float32Array;
  /** The thoracic spine. */
  readonly spine: Float32Array;
}

/** Soft band profile: 1 inside `|d| < half` with a one-pixel-wide edge (`px` anatomical units per pixel). */
function band(d: number, half: number, px: number): number {
  const e = Math.abs(d) - half;
  if (e >= px) return 0;
  const inner = e <= -px ? 1 : (px - e) / (2 * px);
  // Cortex: a thin brighter rim just inside the edge.
  const rim = Math.abs(d) > half * 0.6 ? 0.25 : 0;
  return inner * (1 + rim);
}

/**
 * Renders the ribs (posterior arcs and fainter anterior arcs), the clavicles and the spine as added density.
 *
 * @param frame - pixel ↔ anatomy mapping
 * @param shape - the patient
 * @param sk - the bony thorax
 * @param body - body mask (bones are drawn inside it only)
 * @returns the ribs, the clavicles and the spine, as separate planes (0…~1.25 inside a bone)
 */
export function renderSkeleton(frame: Frame, shape: AnatomyShape, sk: SkeletonShape, body: Uint8Array): SkeletonPlanes {
  const { size } = frame;
  const ribs = new Float32Array(size * size);
  const spine = new Float32Array(size * size);
  const clav = new Float32Array(size * size);
  const px = 1 / frame.pixelsPerUnit;
  const a0 = sk.spineHalfWidth * 0.9;
  const a1 = shape.bodyHalfWidth - 0.012;
  const width = a1 - a0;
  // Per rib and side: level at the spine, drop to the chest wall, half thickness at the spine.
  const base = (side: number, k: number) => sk.firstRibV + k * sk.ribSpacing + sk.jitter[side * sk.ribs + k]!;
  const bases = [0, 1].map((side) => Float64Array.from({ length: sk.ribs }, (_, k) => base(side, k)));
  const drops = Float64Array.from({ length: sk.ribs }, (_, k) => sk.ribDrop * (k === 0 ? 0.55 : 1) * (1 + 0.03 * k));
  const halves = Float64Array.from({ length: sk.ribs }, (_, k) => (sk.ribThickness / 2) * (k === 0 ? 0.8 : 1));
  // Ribs near a pixel: those whose curve passes within a few spacings of the estimate from the mean drop.
  const window = 3;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      if (!body[i]) continue;
      const u = frame.u[i]!;
      const v = frame.v[i]!;
      const a = Math.abs(u - 0.5);
      const side = u < 0.5 ? 0 : 1;
      const sideBases = bases[side]!;
      let r = 0;
      let c = 0;
      if (a >= a0 && a <= a1) {
        const s = (a - a0) / width;
        // Posterior ribs: rise a little from the spine, then curve down to the chest wall.
        const g = 1.6 * s * s - 0.45 * s;
        const estimate = Math.round((v - sk.firstRibV - sk.ribDrop * g) / sk.ribSpacing);
        for (let k = Math.max(0, estimate - window); k <= Math.min(sk.ribs - 1, estimate + window); k++) {
          const post = sideBases[k]! + drops[k]! * g;
          const half = halves[k]! * (1 + 0.15 * s);
          if (Math.abs(v - post) < half + px) r += 0.75 * band(v - post, half, px) * (1 - 0.6 * Math.max(0, (s - 0.9) / 0.1));
        }
        // Anterior ribs: from the chest wall, down and medially, fading toward the cartilage.
        const along = (a1 - a) / width;
        if (along < 0.62) {
          const offset = along * width * 0.5 + 0.015 * Math.sin(along * Math.PI);
          const est = Math.round((v - sk.firstRibV - 1.15 * sk.ribDrop + 0.01 - offset) / sk.ribSpacing);
          for (let k = Math.max(0, est - window); k <= Math.min(sk.ribs - 3, est + window); k++) {
            const ant = sideBases[k]! + drops[k]! * 1.15 - 0.01 + offset;
            const half = halves[k]! * (1 + 0.15 * s) * 1.1;
            if (Math.abs(v - ant) < half + px) r += 0.45 * band(v - ant, half, px) * (1 - along / 0.62);
          }
        }
      }
      // Clavicles: S-shaped, from the sternal end up to the shoulder.
      if (a >= a0 * 1.2 && a <= sk.clavicleA) {
        const s = (a - a0 * 1.2) / (sk.clavicleA - a0 * 1.2);
        const cv = sk.clavicleV - 0.055 * s + 0.012 * Math.sin(2 * Math.PI * s);
        c = band(v - cv, 0.014 - 0.003 * s, px) * Math.min(1, (1 - s) * 8);
      }
      ribs[i] = r;
      clav[i] = c;
      // Spine: vertebral bodies separated by darker discs, with pedicle rings.
      if (a < sk.spineHalfWidth + px) {
        const phase = (v / sk.vertebra + sk.vertebraPhase) % 1;
        const disc = phase < 0.18 ? 0.45 : 1;
        const edge = Math.min(1, (sk.spineHalfWidth + px - a) / (2 * px));
        const pedicle = Math.abs(a - sk.spineHalfWidth * 0.7) < sk.spineHalfWidth * 0.18 && phase > 0.3 && phase < 0.7 ? 0.5 : 0;
        spine[i] = edge * (disc + pedicle);
      }
    }
  }
  return { ribs, spine, clavicles: clav };
}

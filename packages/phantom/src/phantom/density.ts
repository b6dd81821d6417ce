import type { SeededRandom } from '@envision/core';
import { type AnatomyMasks, bodyHalfWidthAt, domeAt } from './anatomy.js';
import { blur, maskToFloat } from './raster.js';
import { between } from './seed.js';
import type { SkeletonPlanes } from './skeleton.js';

/**
 * The normal patient as density planes in display units (0 black … 1 white, before windowing): soft tissue with
 * the lungs' air taken away, bones, mediastinal air. Vessels are kept apart so findings can remove them.
 */
export interface BaseLayers {
  /** Everything but the lung markings. */
  readonly density: Float32Array;
  /** The density the lungs' air removes at each pixel (≥ 0): what an opacity filling the airspace gives back. */
  readonly air: Float32Array;
  /** Lung fields with edges softened inward (zero outside the lung masks), 0…1. */
  readonly lungSoft: Float32Array;
  /** The extra rib and clavicle density that shows over aerated lung (what a dense opacity there hides again). */
  readonly boneOverLung: Float32Array;
}

/** Density of the background outside the body. */
export const BACKGROUND = 0.03;

/**
 * Composes the normal anatomy.
 *
 * @param rng - the anatomy stream (gastric bubble)
 * @param m - the rasterised anatomy
 * @param bones - rib/clavicle and spine planes from the skeleton
 * @returns the layers
 */
export function renderBase(rng: SeededRandom, m: AnatomyMasks, bones: SkeletonPlanes): BaseLayers {
  const { frame, shape } = m;
  const { size } = frame;
  const scale = size / 224;
  const ppu = frame.pixelsPerUnit;
  const n = size * size;
  const lungs = new Uint8Array(n);
  for (let i = 0; i < n; i++) lungs[i] = m.rightLung[i]! | m.leftLung[i]!;
  // Soft inward only, so all of the lungs' air lies inside their masks (a finding filling a mask fills it all).
  const lungSoft = blur(maskToFloat(lungs), size, 0.7 * scale);
  for (let i = 0; i < n; i++) lungSoft[i] = lungs[i] ? Math.min(1, 2 * lungSoft[i]! - 0.25) : 0;
  const depth = blur(maskToFloat(lungs), size, 0.045 * ppu);
  const bodySoft = blur(maskToFloat(m.body), size, 0.6 * scale);
  const heartSoft = blur(maskToFloat(m.heart), size, 0.8 * scale);
  const abdomenSoft = blur(maskToFloat(m.abdomen), size, 1.2 * scale);
  const ribs = blur(bones.ribs, size, 0.8 * scale);
  const bubble = rng.uniform() < 0.7;
  const bu = 0.5 + between(rng, 0.12, 0.2);
  const bv = domeAt(shape.leftLung, bu - 0.5) + between(rng, 0.035, 0.055);
  const brx = between(rng, 0.03, 0.045);
  const bry = between(rng, 0.015, 0.022);
  const carinaV = between(rng, 0.3, 0.34);
  const trachea = between(rng, 0.014, 0.019);
  const density = new Float32Array(n);
  const air = new Float32Array(n);
  const boneOverLung = new Float32Array(n);
  const px = 1 / ppu;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      if (bodySoft[i]! <= 0) {
        density[i] = BACKGROUND;
        continue;
      }
      const u = frame.u[i]!;
      const v = frame.v[i]!;
      const a = Math.abs(u - 0.5);
      const r = Math.min(1, a / bodyHalfWidthAt(shape, v));
      const thickness = Math.sqrt(1 - r * r);
      let d = 0.28 + 0.42 * Math.sqrt(thickness);
      d += 0.04 * abdomenSoft[i]! + 0.03 * heartSoft[i]!;
      // Lung air: deepest in the middle of each field.
      const airHere = lungSoft[i]! * 0.5 * (0.45 + 0.55 * Math.min(1, depth[i]! * 1.35));
      air[i] = airHere;
      d -= airHere;
      // Trachea and main bronchi.
      if (v < carinaV + 0.07) {
        const t = tubeDistance(u, v, carinaV);
        d -= 0.11 * Math.min(1, Math.max(0, (trachea - t) / px + 0.5));
      }
      if (bubble) {
        const q = ((u - bu) / brx) ** 2 + ((v - bv) / bry) ** 2;
        if (q < 1) d -= 0.2 * Math.min(1, (1 - q) * 2.5) * abdomenSoft[i]!;
      }
      const bone = (0.09 * ribs[i]! + 0.14 * bones.clavicles[i]!) * (1 - 0.6 * abdomenSoft[i]!);
      boneOverLung[i] = 0.7 * lungSoft[i]! * bone;
      d += 0.3 * bone + boneOverLung[i]!;
      d += 0.05 * bones.spine[i]! * (1 - 0.4 * heartSoft[i]!) * (1 - 0.5 * abdomenSoft[i]!);
      density[i] = BACKGROUND + (d - BACKGROUND) * bodySoft[i]!;
    }
  }
  return { density, air, lungSoft, boneOverLung };
}

/** Distance from `(u, v)` to the trachea and main bronchi (segments from the top to the carina and on to the hila). */
function tubeDistance(u: number, v: number, carinaV: number): number {
  const seg = (ax: number, ay: number, bx: number, by: number) => {
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((u - ax) * dx + (v - ay) * dy) / (dx * dx + dy * dy)));
    const ex = u - ax - t * dx;
    const ey = v - ay - t * dy;
    return Math.sqrt(ex * ex + ey * ey);
  };
  return Math.min(
    seg(0.5, -0.1, 0.5 + 0.004, carinaV),
    seg(0.504, carinaV, 0.5 - 0.05, carinaV + 0.045),
    seg(0.504, carinaV, 0.5 + 0.065, carinaV + 0.06),
  );
}

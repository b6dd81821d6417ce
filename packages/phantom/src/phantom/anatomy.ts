import type { SeededRandom } from '@envision/core';
import { type Frame, makeFrame, sampleFrameParams } from './frame.js';
import { extentOf } from './raster.js';
import { between } from './seed.js';

/** Shape of one lung field in anatomical units; `a` is the distance from the midline. */
export interface LungShape {
  /** `a` of the lateral border at its widest. */
  readonly lateral: number;
  /** `a` of the mediastinal border. */
  readonly medial: number;
  /** `a` and `v` of the apex. */
  readonly apexA: number;
  /** Top of the apex. */
  readonly apexV: number;
  /** `v` from which the lateral border is vertical. */
  readonly widestV: number;
  /** `v` of the top of the hemidiaphragm dome, at `a = domeA`. */
  readonly domeV: number;
  /** `a` of the top of the dome. */
  readonly domeA: number;
  /** Curvature of the dome: `v = domeV + domeK · (a − domeA)²`. */
  readonly domeK: number;
}

/** The heart shadow: an ellipse with different radii on each side and above/below its centre, sheared down to the apex. */
export interface HeartShape {
  /** Centre. */
  readonly cx: number;
  /** Centre. */
  readonly cy: number;
  /** Radius toward the image left (patient's right). */
  readonly rxRight: number;
  /** Radius toward the image right (patient's left, the apex). */
  readonly rxLeft: number;
  /** Radius upward. */
  readonly ryTop: number;
  /** Radius downward. */
  readonly ryBottom: number;
  /** Vertical shear: the apex sits lower by `tilt · (u − cx)`. */
  readonly tilt: number;
}

/** The geometry of a phantom patient, in anatomical units (see {@link Frame}). */
export interface AnatomyShape {
  /** Half width of the torso. */
  readonly bodyHalfWidth: number;
  /** Half width of the neck. */
  readonly neckHalfWidth: number;
  /** `v` where the shoulders reach the full torso width. */
  readonly shoulderV: number;
  /** The patient's right lung (image left). */
  readonly rightLung: LungShape;
  /** The patient's left lung (image right). */
  readonly leftLung: LungShape;
  /** The heart. */
  readonly heart: HeartShape;
  /** Aortic knob: centre `u`, `v` and radius. */
  readonly aorta: { readonly u: number; readonly v: number; readonly r: number };
}

/** Normal cardiothoracic ratios drawn for a heart without cardiomegaly. */
export const NORMAL_CTR: readonly [number, number] = [0.4, 0.47];

/**
 * Draws a patient's geometry. The heart's width is `ctr` times the distance between the lungs' outer borders.
 *
 * @param rng - the anatomy stream
 * @param ctr - cardiothoracic ratio to aim for
 * @returns the shape
 */
export function sampleShape(rng: SeededRandom, ctr: number): AnatomyShape {
  const bodyHalfWidth = between(rng, 0.4, 0.44);
  // The right hemidiaphragm sits higher than the left (the liver lies under it).
  const rightDome = between(rng, 0.6, 0.655);
  const lung = (side: 'right' | 'left'): LungShape => {
    const apexV = between(rng, 0.1, 0.145);
    const domeV = side === 'right' ? rightDome : rightDome + between(rng, 0.01, 0.035);
    return {
      lateral: bodyHalfWidth - between(rng, 0.035, 0.05),
      medial: between(rng, 0.05, 0.062) + (side === 'right' ? 0.006 : 0),
      apexA: between(rng, 0.15, 0.185),
      apexV,
      widestV: apexV + between(rng, 0.34, 0.44),
      domeV,
      domeA: between(rng, 0.16, 0.22),
      domeK: between(rng, 2.3, 3.2),
    };
  };
  const rightLung = lung('right');
  const leftLung = lung('left');
  const cy = between(rng, 0.575, 0.605);
  const shareRight = between(rng, 0.3, 0.37);
  const tilt = between(rng, 0.12, 0.22);
  const ryTop = between(rng, 0.13, 0.16);
  const offset = between(rng, 0.03, 0.05);
  const aorta = { u: 0.5 + leftLung.medial + between(rng, -0.008, 0.004), v: between(rng, 0.27, 0.31), r: between(rng, 0.02, 0.027) };
  return {
    bodyHalfWidth,
    neckHalfWidth: between(rng, 0.075, 0.095),
    shoulderV: between(rng, 0.17, 0.22),
    rightLung,
    leftLung,
    heart: heartFor(ctr, rightLung, leftLung, { cy, shareRight, tilt, ryTop, offset }),
    aorta,
  };
}

/** A heart `ctr` times as wide as the thorax; taller as it grows. */
function heartFor(
  ctr: number,
  right: LungShape,
  left: LungShape,
  p: { cy: number; shareRight: number; tilt: number; ryTop: number; offset: number },
): HeartShape {
  const width = ctr * (right.lateral + left.lateral);
  const growth = Math.sqrt(ctr / 0.44);
  const cx = 0.5 + p.offset;
  return {
    cx,
    cy: p.cy,
    rxRight: p.shareRight * width + p.offset,
    rxLeft: (1 - p.shareRight) * width - p.offset,
    ryTop: p.ryTop * growth,
    ryBottom: 0.2,
    tilt: p.tilt,
  };
}

/**
 * The same patient with a heart scaled horizontally about the midline by `factor` (for refining the measured ratio).
 *
 * @param shape - the patient
 * @param factor - width factor
 * @returns the new shape
 */
export function scaleHeart(shape: AnatomyShape, factor: number): AnatomyShape {
  const h = shape.heart;
  const left = 0.5 - (h.cx - h.rxRight);
  const right = h.cx + h.rxLeft - 0.5;
  const cx = h.cx;
  return {
    ...shape,
    heart: { ...h, rxRight: left * factor + (cx - 0.5), rxLeft: right * factor - (cx - 0.5), ryTop: h.ryTop * Math.sqrt(factor) },
  };
}

/** `v` of a hemidiaphragm at distance `a` from the midline. */
export function domeAt(lung: LungShape, a: number): number {
  return lung.domeV + lung.domeK * (a - lung.domeA) ** 2;
}

/** `v` of the diaphragm at `u`: the higher of the two domes (a notch at the midline where they meet). */
export function diaphragmAt(shape: AnatomyShape, u: number): number {
  return Math.min(domeAt(shape.rightLung, 0.5 - u), domeAt(shape.leftLung, u - 0.5));
}

/** Half width of the body at `v`: the neck, sloping rounded shoulders, then a barrel-shaped chest narrowing to the waist. */
export function bodyHalfWidthAt(shape: AnatomyShape, v: number): number {
  const neckBase = -0.01;
  const { neckHalfWidth: neck, bodyHalfWidth: w, shoulderV } = shape;
  const chest = (vv: number) => w * Math.max(0.85, 1 - 0.09 * ((vv - 0.56) / (0.56 - shoulderV)) ** 2);
  if (v <= neckBase) return neck;
  if (v <= shoulderV) {
    const t = (v - neckBase) / (shoulderV - neckBase);
    return neck + (chest(shoulderV) - neck) * (1 - (1 - t) ** 2.2);
  }
  return chest(v);
}

/** True when `(u, v)` is inside the heart ellipse (before the diaphragm cuts it). */
export function inHeartEllipse(h: HeartShape, u: number, v: number): boolean {
  const dx = u - h.cx;
  const dy = v - h.tilt * dx - h.cy;
  const rx = dx < 0 ? h.rxRight : h.rxLeft;
  const ry = dy < 0 ? h.ryTop : h.ryBottom;
  return (dx / rx) ** 2 + (dy / ry) ** 2 <= 1;
}

/**
 * True when `(u, v)` is in the lung field `lung` on side `sign` (−1: image left, the patient's right), heart and
 * aortic knob not excluded.
 */
export function inLungField(lung: LungShape, sign: -1 | 1, u: number, v: number): boolean {
  if (v < lung.apexV) return false;
  const a = sign * (u - 0.5);
  const t = (v - lung.apexV) / (lung.widestV - lung.apexV);
  const tl = 1 - Math.min(1, t);
  const tm = 1 - Math.min(1, t * 2.5);
  const lateral = lung.apexA + (lung.lateral - lung.apexA) * Math.sqrt(1 - tl * tl);
  const medial = lung.apexA - (lung.apexA - lung.medial) * Math.sqrt(1 - tm * tm);
  return a >= medial && a <= lateral && v <= domeAt(lung, a);
}

/** Rasterised anatomy of a phantom: masks (1 inside) and the frame. */
export interface AnatomyMasks {
  /** The frame used. */
  readonly frame: Frame;
  /** The geometry. */
  readonly shape: AnatomyShape;
  /** Body outline. */
  readonly body: Uint8Array;
  /** Patient's right lung (image left). */
  readonly rightLung: Uint8Array;
  /** Patient's left lung (image right). */
  readonly leftLung: Uint8Array;
  /** Heart above the diaphragm. */
  readonly heart: Uint8Array;
  /** Below the diaphragm, inside the body. */
  readonly abdomen: Uint8Array;
  /** Measured cardiothoracic ratio. */
  readonly ctr: number;
}

/**
 * Rasterises a shape: each pixel centre is classified in anatomical coordinates.
 *
 * @param frame - pixel ↔ anatomy mapping
 * @param shape - the geometry
 * @returns the masks and the measured cardiothoracic ratio
 */
export function rasterizeAnatomy(frame: Frame, shape: AnatomyShape): AnatomyMasks {
  const { size } = frame;
  const n = size * size;
  const body = new Uint8Array(n);
  const rightLung = new Uint8Array(n);
  const leftLung = new Uint8Array(n);
  const heart = new Uint8Array(n);
  const abdomen = new Uint8Array(n);
  const { aorta } = shape;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const u = frame.u[i]!;
      const v = frame.v[i]!;
      if (Math.abs(u - 0.5) > bodyHalfWidthAt(shape, v)) continue;
      body[i] = 1;
      const cardiac = inHeartEllipse(shape.heart, u, v);
      const below = v > diaphragmAt(shape, u);
      if (below) abdomen[i] = 1;
      else if (cardiac) heart[i] = 1;
      if (cardiac || below) continue;
      if (inLungField(shape.rightLung, -1, u, v)) rightLung[i] = 1;
      else if (inLungField(shape.leftLung, 1, u, v) && (u - aorta.u) ** 2 + (v - aorta.v) ** 2 > aorta.r ** 2) leftLung[i] = 1;
    }
  }
  return { frame, shape, body, rightLung, leftLung, heart, abdomen, ctr: measureCtr(heart, rightLung, leftLung, size) };
}

/**
 * Cardiothoracic ratio on masks: the heart's widest horizontal extent over the distance between the right lung's
 * leftmost and the left lung's rightmost pixel.
 *
 * @returns the ratio (NaN when a mask is empty)
 */
export function measureCtr(heart: Uint8Array, rightLung: Uint8Array, leftLung: Uint8Array, size: number): number {
  const h = extentOf(heart, size);
  const r = extentOf(rightLung, size);
  const l = extentOf(leftLung, size);
  if (!h || !r || !l) return NaN;
  return (h.right - h.left + 1) / (l.right - r.left + 1);
}

/**
 * Draws and rasterises a patient whose measured cardiothoracic ratio is within 0.01 of `ctr` (the heart is
 * rescaled up to three times).
 *
 * @param rng - the anatomy stream
 * @param size - image size in pixels
 * @param ctr - the cardiothoracic ratio to aim for, or `undefined` for a normal one drawn from {@link NORMAL_CTR}
 * @returns the masks
 */
export function buildAnatomy(rng: SeededRandom, size: number, ctr?: number): AnatomyMasks {
  const frame = makeFrame(size, sampleFrameParams(rng));
  const normal = between(rng, NORMAL_CTR[0], NORMAL_CTR[1]);
  const target = ctr ?? normal;
  let shape = sampleShape(rng, target);
  let masks = rasterizeAnatomy(frame, shape);
  for (let k = 0; k < 3 && !(Math.abs(masks.ctr - target) <= 0.01); k++) {
    shape = scaleHeart(shape, target / masks.ctr);
    masks = rasterizeAnatomy(frame, shape);
  }
  return masks;
}

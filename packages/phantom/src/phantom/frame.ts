import type { SeededRandom } from '@envision/core';
import { between } from './seed.js';

/**
 * The mapping between pixels and a phantom's anatomical coordinates. Anatomy is described in a unit square
 * (`u` across, 0 = image left; `v` down, 0 = top; the patient's midline at `u = 0.5`), and placed in the image by a
 * small random similarity-like transform (shift, per-axis scale, rotation about the centre), so patients differ in
 * position and size.
 */
export interface Frame {
  /** Width and height of the image in pixels. */
  readonly size: number;
  /** Anatomical `[u, v]` of the centre of pixel `(x, y)`. */
  toAnatomy(x: number, y: number): [number, number];
  /** Pixel coordinates (continuous; pixel centres at integers) of anatomical point `(u, v)`. */
  toPixel(u: number, v: number): [number, number];
  /** Pixels per anatomical unit along `u` (the image scale times the horizontal patient scale). */
  readonly pixelsPerUnit: number;
  /** Anatomical `u` of every pixel centre, row-major (computed once). */
  readonly u: Float64Array;
  /** Anatomical `v` of every pixel centre, row-major. */
  readonly v: Float64Array;
}

/** Parameters of a {@link Frame}. */
export interface FrameParams {
  /** Shift of the patient in image units. */
  readonly tx: number;
  /** Vertical shift in image units. */
  readonly ty: number;
  /** Rotation in radians (positive: clockwise on screen). */
  readonly rotation: number;
  /** Horizontal scale of the patient. */
  readonly sx: number;
  /** Vertical scale of the patient. */
  readonly sy: number;
}

/**
 * Draws a patient placement: shifts within ±0.025, scales 0.93–1.04, rotation within ±2°.
 *
 * @param rng - the anatomy stream
 * @returns the placement
 */
export function sampleFrameParams(rng: SeededRandom): FrameParams {
  return {
    tx: between(rng, -0.025, 0.025),
    ty: between(rng, -0.02, 0.025),
    rotation: between(rng, -0.035, 0.035),
    sx: between(rng, 0.93, 1.04),
    sy: between(rng, 0.93, 1.04),
  };
}

/**
 * The frame of an image of `size` pixels under placement `p`.
 *
 * @param size - width and height in pixels
 * @param p - the placement
 * @returns the frame
 */
export function makeFrame(size: number, p: FrameParams): Frame {
  const cos = Math.cos(p.rotation);
  const sin = Math.sin(p.rotation);
  const toAnatomy = (x: number, y: number): [number, number] => {
    const iu = (x + 0.5) / size - 0.5 - p.tx;
    const iv = (y + 0.5) / size - 0.5 - p.ty;
    const ru = cos * iu + sin * iv;
    const rv = -sin * iu + cos * iv;
    return [0.5 + ru / p.sx, 0.5 + rv / p.sy];
  };
  const u = new Float64Array(size * size);
  const v = new Float64Array(size * size);
  for (let y = 0; y < size; y++) {
    const iv = (y + 0.5) / size - 0.5 - p.ty;
    for (let x = 0; x < size; x++) {
      const iu = (x + 0.5) / size - 0.5 - p.tx;
      u[y * size + x] = 0.5 + (cos * iu + sin * iv) / p.sx;
      v[y * size + x] = 0.5 + (-sin * iu + cos * iv) / p.sy;
    }
  }
  return {
    size,
    pixelsPerUnit: size * p.sx,
    u,
    v,
    toAnatomy,
    toPixel(uu, vv) {
      const au = (uu - 0.5) * p.sx;
      const av = (vv - 0.5) * p.sy;
      const iu = cos * au - sin * av;
      const iv = sin * au + cos * av;
      return [(iu + 0.5 + p.tx) * size - 0.5, (iv + 0.5 + p.ty) * size - 0.5];
    },
  };
}

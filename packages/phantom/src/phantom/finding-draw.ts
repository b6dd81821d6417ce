import type { AnatomyMasks } from './anatomy.js';
import { type LungInfo, lungInfo } from './lung-geometry.js';
import type { FindingSpec } from './plan.js';
import { hilaOf } from './vessels.js';

/** What a finding renderer may look at. */
export interface FindingContext {
  /** Image width and height. */
  readonly size: number;
  /** Pixels per 224: sizes are given for a 224-pixel image and scaled. */
  readonly scale: number;
  /** The patient's right lung (image left). */
  readonly right: LungInfo;
  /** The patient's left lung (image right). */
  readonly left: LungInfo;
  /** Density the lungs' air removes at each pixel (what filling the airspace gives back). */
  readonly air: Float32Array;
  /** Rib density that shows only over aerated lung (a dense opacity hides it). */
  readonly boneOverLung: Float32Array;
  /** Pixel positions of the hila. */
  readonly hila: { readonly right: readonly [number, number]; readonly left: readonly [number, number] };
  /** Pixels already taken by earlier findings (grown by a margin): 1 taken. */
  readonly occupied: Uint8Array;
}

/** A finding as drawn: its mask and how it changes the scene. */
export interface FindingDraw {
  /** What was asked for. */
  readonly spec: FindingSpec;
  /** Its pixels (1 inside). */
  readonly mask: Uint8Array;
  /** Density added (negative: darker), zero outside `mask`. */
  readonly add: Float32Array;
  /** Factor on the lung markings (1 keeps them, 0 removes them), 1 outside `mask`; absent when unchanged. */
  readonly markings?: Float32Array;
}

/**
 * The context findings are drawn in, for a rasterised patient; nothing is occupied yet.
 *
 * @param m - the patient's masks
 * @param base - its base layers (lung air and rib contrast over the lungs)
 * @returns a fresh context
 */
export function makeFindingContext(m: AnatomyMasks, base: { readonly air: Float32Array; readonly boneOverLung: Float32Array }): FindingContext {
  const { size } = m.frame;
  const hila = hilaOf(m.shape);
  return {
    size,
    scale: size / 224,
    right: lungInfo(m.rightLung, size, 'right'),
    left: lungInfo(m.leftLung, size, 'left'),
    air: base.air,
    boneOverLung: base.boneOverLung,
    hila: { right: m.frame.toPixel(...hila.right), left: m.frame.toPixel(...hila.left) },
    occupied: new Uint8Array(size * size),
  };
}

/** The lung on the patient's `side`. */
export function lungOn(ctx: FindingContext, side: 'left' | 'right'): LungInfo {
  return side === 'left' ? ctx.left : ctx.right;
}

/**
 * Makes a drawing exact: no density change and no marking change outside the mask, and no mask pixel outside
 * the allowed region (`allowed`, e.g. the lung minus what earlier findings occupy).
 *
 * @returns the number of mask pixels left
 */
export function confine(draw: { mask: Uint8Array; add: Float32Array; markings?: Float32Array | undefined }, allowed: (i: number) => boolean): number {
  let count = 0;
  for (let i = 0; i < draw.mask.length; i++) {
    if (draw.mask[i] && !allowed(i)) draw.mask[i] = 0;
    if (draw.mask[i]) {
      count++;
      continue;
    }
    draw.add[i] = 0;
    if (draw.markings) draw.markings[i] = 1;
  }
  return count;
}

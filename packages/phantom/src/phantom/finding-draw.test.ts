import { describe, it, expect } from 'vitest';
import { confine, lungOn, makeFindingContext } from './finding-draw.js';
import { buildAnatomy } from './anatomy.js';
import { streamRandom } from './seed.js';

describe('makeFindingContext', () => {
  it('measures both lungs, places the hila inside the thorax and starts with nothing occupied', () => {
    const m = buildAnatomy(streamRandom(1, 'anatomy'), 224);
    const ctx = makeFindingContext(m, { air: new Float32Array(224 * 224), boneOverLung: new Float32Array(224 * 224) });
    expect(lungOn(ctx, 'right').side).toBe('right');
    expect(lungOn(ctx, 'left').mask).toBe(m.leftLung);
    expect(ctx.hila.right[0]).toBeLessThan(112);
    expect(ctx.hila.left[0]).toBeGreaterThan(112);
    expect(ctx.occupied.every((v) => v === 0)).toBe(true);
    expect(ctx.scale).toBe(1);
  });
});

describe('confine', () => {
  it('clears the mask where not allowed and the changes outside the mask', () => {
    const draw = { mask: Uint8Array.from([1, 1, 0, 0]), add: Float32Array.from([1, 2, 3, 4]), markings: Float32Array.from([0, 0, 0, 0.5]) };
    expect(confine(draw, (i) => i !== 1)).toBe(1);
    expect(Array.from(draw.mask)).toEqual([1, 0, 0, 0]);
    expect(Array.from(draw.add)).toEqual([1, 0, 0, 0]);
    expect(Array.from(draw.markings)).toEqual([0, 1, 1, 1]);
  });
});

import { describe, it, expect } from 'vitest';
import { tensor } from '@envision/onnx-grad';
import { caught } from '../expect-error.test-support.js';
import { massOutside } from './mass-outside.js';

// 3×3 map and a body mask (1 = body)
const MAP = { data: Float32Array.from([1, -2, 3, 0, 4, -1, 2, 0, 5]), width: 3, height: 3 };
const BODY = Uint8Array.from([0, 1, 1, 0, 1, 1, 0, 0, 0]);

describe('massOutside', () => {
  it('takes the share of positive mass outside the mask', () => {
    // m⁺ = 1 0 3 / 0 4 0 / 2 0 5, total 15; inside (body) 0 + 3 + 4 + 0 = 7; outside 1 + 0 + 2 + 0 + 5 = 8 → 8/15
    expect(massOutside(MAP, BODY)).toBeCloseTo(8 / 15, 12);
    expect(massOutside(MAP, BODY, { use: 'positive' })).toBeCloseTo(8 / 15, 12);
  });

  it('takes the share of absolute mass with use absolute', () => {
    // |m| = 1 2 3 / 0 4 1 / 2 0 5, total 18; inside 2 + 3 + 4 + 1 = 10; outside 8 → 8/18
    expect(massOutside(MAP, BODY, { use: 'absolute' })).toBeCloseTo(4 / 9, 12);
  });

  it('sums the channels of a tensor first', () => {
    // two channels: MAP and zeros
    const t = tensor('float32', [2, 3, 3], Float32Array.from([...MAP.data, ...new Float32Array(9)]));
    expect(massOutside(t, BODY)).toBeCloseTo(8 / 15, 12);
  });

  it('is 0 when there is no mass, and counts NaN as no mass', () => {
    expect(massOutside({ data: new Float32Array(9), width: 3, height: 3 }, BODY)).toBe(0);
    const negative = { data: Float32Array.from([-1, -1, -1, -1, -1, -1, -1, -1, -1]), width: 3, height: 3 };
    expect(massOutside(negative, BODY)).toBe(0);
    // absolute: 9 pixels of 1, 5 outside the body
    expect(massOutside(negative, BODY, { use: 'absolute' })).toBeCloseTo(5 / 9, 12);
    // NaN at pixel 0 (outside) removes its 1 from both sums: 7 / 14
    const withNaN = { ...MAP, data: Float32Array.from([NaN, -2, 3, 0, 4, -1, 2, 0, 5]) };
    expect(massOutside(withNaN, BODY)).toBeCloseTo(7 / 14, 12);
  });

  it('is 0 for a mask covering everything and 1 for an empty mask', () => {
    expect(massOutside(MAP, new Uint8Array(9).fill(1))).toBe(0);
    expect(massOutside(MAP, new Uint8Array(9))).toBe(1);
  });

  it('rejects a mask of another size, naming both sizes, and an unknown use', () => {
    const e = caught(() => massOutside(MAP, new Uint8Array(8)));
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toContain('8 values');
    expect(e.message).toContain('3×3');
    expect(caught(() => massOutside(MAP, BODY, { use: 'raw' as never })).code).toBe('E_CONFIG');
  });
});

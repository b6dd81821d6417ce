import { describe, it, expect } from 'vitest';
import { tensor } from '@envision/onnx-grad';
import { caught } from '../expect-error.test-support.js';
import { applyUse, checkMassUse, massInside, regionMask, toPlane } from './map.js';

describe('toPlane', () => {
  it('sums the channels of a [C, H, W] tensor and reads its height and width', () => {
    // [C=2, H=1, W=3]: sums 1+10, 2+20, 3+30
    const p = toPlane(tensor('float32', [2, 1, 3], Float32Array.from([1, 2, 3, 10, 20, 30])), 'map');
    expect(Array.from(p.values)).toEqual([11, 22, 33]);
    expect([p.height, p.width]).toEqual([1, 3]);
  });

  it('takes a plane as it is and rejects one whose data does not fill width × height', () => {
    const data = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const p = toPlane({ data, width: 3, height: 2 }, 'map');
    expect(p.values).toBe(data);
    const e = caught(() => toPlane({ data, width: 2, height: 2 }, 'test: map'));
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toContain('6 values');
    expect(e.message).toContain('2×2');
  });
});

describe('regionMask', () => {
  it('rasterises a box with exclusive right and bottom edges', () => {
    // 4 wide, 3 high; box columns 1..2, rows 0..1
    expect(Array.from(regionMask({ box: { x0: 1, y0: 0, x1: 3, y1: 2 } }, 4, 3, 't'))).toEqual([
      0, 1, 1, 0,
      0, 1, 1, 0,
      0, 0, 0, 0,
    ]);
  });

  it('rejects boxes outside the map or inverted, naming the map size', () => {
    for (const box of [{ x0: 0, y0: 0, x1: 5, y1: 1 }, { x0: 2, y0: 0, x1: 1, y1: 1 }, { x0: -1, y0: 0, x1: 1, y1: 1 }]) {
      const e = caught(() => regionMask({ box }, 4, 3, 't'));
      expect(e.code).toBe('E_INPUT');
      expect(e.message).toContain('3×4');
    }
  });

  it('checks a mask against the map size and wants exactly one of mask and box', () => {
    const e = caught(() => regionMask({ mask: new Uint8Array(11) }, 4, 3, 't'));
    expect(e.message).toContain('11 values');
    expect(e.message).toContain('3×4');
    expect(caught(() => regionMask({} as never, 4, 3, 't')).code).toBe('E_INPUT');
    expect(caught(() => regionMask({ mask: new Uint8Array(12), box: { x0: 0, y0: 0, x1: 1, y1: 1 } } as never, 4, 3, 't')).code).toBe('E_INPUT');
  });
});

describe('applyUse and massInside', () => {
  it('keeps the raw value, the positive part or the magnitude', () => {
    expect([applyUse(-2, 'raw'), applyUse(-2, 'positive'), applyUse(3, 'positive'), applyUse(-2, 'absolute')]).toEqual([-2, 0, 3, 2]);
    expect(caught(() => applyUse(1, 'nope' as never)).code).toBe('E_CONFIG');
    expect(caught(() => checkMassUse('raw' as never, 't')).code).toBe('E_CONFIG');
  });

  it('sums inside and in total, skipping NaN', () => {
    // positive parts 1, 0, 3, (NaN skipped); inside = pixels 0 and 3
    expect(massInside(Float32Array.from([1, -2, 3, NaN]), Uint8Array.from([1, 0, 0, 1]), 'positive')).toEqual({ inside: 1, total: 4 });
    expect(massInside(Float32Array.from([1, -2, 3, NaN]), Uint8Array.from([0, 1, 0, 0]), 'absolute')).toEqual({ inside: 2, total: 6 });
  });
});

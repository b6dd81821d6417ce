import { describe, it, expect } from 'vitest';
import { caught } from '../expect-error.test-support.js';
import { energyInBox } from './energy-in-box.js';

// 4×4 map m(x, y) = 4y + x: values 0 … 15, total 120
const MAP = { data: Float32Array.from({ length: 16 }, (_, i) => i), width: 4, height: 4 };
const BOX = { x0: 1, y0: 1, x1: 3, y1: 3 }; // pixels (1,1)=5, (2,1)=6, (1,2)=9, (2,2)=10

describe('energyInBox', () => {
  it('takes the share of positive energy inside a box', () => {
    // (5 + 6 + 9 + 10) / 120 = 30 / 120
    expect(energyInBox(MAP, { box: BOX })).toBeCloseTo(0.25, 12);
  });

  it('gives the same for the equivalent mask', () => {
    const mask = Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
    expect(energyInBox(MAP, { mask })).toBeCloseTo(0.25, 12);
  });

  it('ignores negative attribution by default and counts it with use absolute', () => {
    const data = Float32Array.from(MAP.data);
    data[0] = -100; // outside the box
    const map = { ...MAP, data };
    expect(energyInBox(map, { box: BOX })).toBeCloseTo(30 / 120, 12);
    // |m| total 100 + 120 = 220
    expect(energyInBox(map, { box: BOX }, { use: 'absolute' })).toBeCloseTo(30 / 220, 12);
  });

  it('is 1 for the whole map, 0 for an empty box or a map without energy', () => {
    expect(energyInBox(MAP, { box: { x0: 0, y0: 0, x1: 4, y1: 4 } })).toBe(1);
    expect(energyInBox(MAP, { box: { x0: 2, y0: 0, x1: 2, y1: 4 } })).toBe(0);
    expect(energyInBox({ data: new Float32Array(16).fill(-1), width: 4, height: 4 }, { box: BOX })).toBe(0);
  });

  it('rejects a box outside the map and a mask of another size, naming both sizes', () => {
    const e = caught(() => energyInBox(MAP, { box: { x0: 0, y0: 0, x1: 5, y1: 2 } }));
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toContain('x1: 5');
    expect(e.message).toContain('4×4');
    const f = caught(() => energyInBox(MAP, { mask: new Uint8Array(9) }));
    expect(f.code).toBe('E_INPUT');
    expect(f.message).toContain('9 values');
    expect(f.message).toContain('4×4');
  });
});

import { describe, it, expect } from 'vitest';
import { rejected } from '../expect-error.test-support.js';
import { IMAGE, MAP, sum } from './toy-causal.test-support.js';
import { deletionAuc } from './deletion.js';

describe('deletionAuc', () => {
  it('deletes pixels in order of decreasing attribution (hand-computed, 4 pixels, 4 steps)', async () => {
    // delete 2, then 3, then 4, then 1 (baseline 0): scores 10, 8, 5, 1, 0 at fractions 0, .25, .5, .75, 1
    // AUC = .25 · ((10+8)/2 + (8+5)/2 + (5+1)/2 + (1+0)/2) = .25 · 19 = 4.75
    const r = await deletionAuc(MAP, IMAGE, 0, sum, { steps: 4 });
    expect(r.curve).toEqual([10, 8, 5, 1, 0]);
    expect(r.fractions).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(r.auc).toBeCloseTo(4.75, 12);
  });

  it('normalises by the start score when asked', async () => {
    // curve / 10 → AUC 0.475
    const r = await deletionAuc(MAP, IMAGE, 0, sum, { steps: 4, normalize: true });
    expect(r.curve.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 0.8, 0.5, 0.1, 0]);
    expect(r.auc).toBeCloseTo(0.475, 12);
  });

  it('replaces deleted pixels by a baseline image', async () => {
    // baseline all 1: 10 → 9 (2→1) → 7 (3→1) → 4 (4→1) → 4 (1→1); AUC = .25 · (9.5 + 8 + 5.5 + 4) = 6.75
    const r = await deletionAuc(MAP, IMAGE, new Float32Array(4).fill(1), sum, { steps: 4 });
    expect(r.curve).toEqual([10, 9, 7, 4, 4]);
    expect(r.auc).toBeCloseTo(6.75, 12);
  });

  it('deletes all channels of a pixel at once', async () => {
    // channel 0 [1,2,3,4], channel 1 [10,20,30,40]: pixel sums 11, 22, 33, 44; 110 → 88 → 55 → 11 → 0
    // AUC = .25 · (99 + 71.5 + 33 + 5.5) = 52.25
    const image = { data: Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]), channels: 2, height: 2, width: 2 };
    const r = await deletionAuc(MAP, image, 0, sum, { steps: 4 });
    expect(r.curve).toEqual([110, 88, 55, 11, 0]);
    expect(r.auc).toBeCloseTo(52.25, 12);
  });

  it('scores a worse map higher', async () => {
    // reversed order 1, 4, 3, 2: 10, 9, 5, 2, 0 → AUC .25 · (9.5 + 7 + 3.5 + 1) = 5.25 > 4.75
    const reversed = { data: Float32Array.from([0.4, 0.1, 0.2, 0.3]), width: 2, height: 2 };
    expect((await deletionAuc(reversed, IMAGE, 0, sum, { steps: 4 })).auc).toBeCloseTo(5.25, 12);
  });

  it('rejects a map, image or baseline of another size, naming both sizes', async () => {
    const big = { data: new Float32Array(9), width: 3, height: 3 };
    const e = await rejected(deletionAuc(big, IMAGE, 0, sum));
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toContain('3×3');
    expect(e.message).toContain('2×2');
    const f = await rejected(deletionAuc(MAP, IMAGE, new Float32Array(3), sum));
    expect(f.code).toBe('E_INPUT');
    expect(f.message).toContain('3 values');
    expect(f.message).toContain('has 4');
    const g = await rejected(deletionAuc(MAP, { ...IMAGE, channels: 3 }, 0, sum));
    expect(g.code).toBe('E_INPUT');
    expect(g.message).toContain('4 values');
    expect(g.message).toContain('12');
  });
});

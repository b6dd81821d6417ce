import { describe, it, expect } from 'vitest';
import { rejected } from '../expect-error.test-support.js';
import { IMAGE, MAP, sum } from './toy-causal.test-support.js';
import { insertionAuc } from './insertion.js';

describe('insertionAuc', () => {
  it('inserts pixels in order of decreasing attribution (hand-computed, 4 pixels, 4 steps)', async () => {
    // from 0, insert 2, 3, 4, 1: scores 0, 2, 5, 9, 10; AUC = .25 · (1 + 3.5 + 7 + 9.5) = 5.25
    const r = await insertionAuc(MAP, IMAGE, 0, sum, { steps: 4 });
    expect(r.curve).toEqual([0, 2, 5, 9, 10]);
    expect(r.fractions).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(r.auc).toBeCloseTo(5.25, 12);
  });

  it('starts from a baseline image and normalises by its score when asked', async () => {
    // from all 1 (score 4): 4 → 5 (1→2) → 7 (1→3) → 10 (1→4) → 10 (1→1); AUC = .25 · (4.5 + 6 + 8.5 + 10) = 7.25
    const start = new Float32Array(4).fill(1);
    const r = await insertionAuc(MAP, IMAGE, start, sum, { steps: 4 });
    expect(r.curve).toEqual([4, 5, 7, 10, 10]);
    expect(r.auc).toBeCloseTo(7.25, 12);
    // normalised: curve / 4 = 1, 1.25, 1.75, 2.5, 2.5 → AUC 7.25 / 4 = 1.8125
    const n = await insertionAuc(MAP, IMAGE, start, sum, { steps: 4, normalize: true });
    expect(n.curve).toEqual([1, 1.25, 1.75, 2.5, 2.5]);
    expect(n.auc).toBeCloseTo(1.8125, 12);
  });

  it('takes tied pixels in row-major order', async () => {
    // constant map: insert 1, 2, 3, 4 → 0, 1, 3, 6, 10; AUC = .25 · (.5 + 2 + 4.5 + 8) = 3.75
    const flat = { data: new Float32Array(4), width: 2, height: 2 };
    const r = await insertionAuc(flat, IMAGE, 0, sum, { steps: 4 });
    expect(r.curve).toEqual([0, 1, 3, 6, 10]);
    expect(r.auc).toBeCloseTo(3.75, 12);
  });

  it('rejects normalising by a zero start score and sizes that disagree, naming both', async () => {
    expect((await rejected(insertionAuc(MAP, IMAGE, 0, sum, { normalize: true }))).code).toBe('E_INPUT');
    const e = await rejected(insertionAuc({ data: new Float32Array(2), width: 2, height: 1 }, IMAGE, 0, sum));
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toContain('1×2');
    expect(e.message).toContain('2×2');
  });
});

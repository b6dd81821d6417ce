import { describe, it, expect } from 'vitest';
import { noiseSamples } from './noise.js';

describe('noiseSamples', () => {
  it('replays the same float32 noise for the same seed, sample after sample, and other noise for another seed', () => {
    const a = [...noiseSamples(3, 5, 0.5, 7)];
    const b = [...noiseSamples(3, 5, 0.5, 7)];
    expect(a).toEqual(b);
    expect(a.every((s) => s instanceof Float32Array && s.length === 5)).toBe(true);
    expect(a[0]).not.toEqual(a[1]);
    // Sample s continues the sequence: two samples of 5 are one sample of 10.
    const [long] = [...noiseSamples(1, 10, 0.5, 7)];
    expect([...long!]).toEqual([...a[0]!, ...a[1]!]);
    expect([...noiseSamples(1, 5, 0.5, 8)][0]).not.toEqual(a[0]);
  });

  it('draws the values the reference script replays (mulberry32 + Box–Muller, seed 0, σ = 1)', () => {
    // Printed by scripts/dev/make_method_fixtures_19a.py (its own mulberry32 and Box–Muller in float64).
    const [first] = [...noiseSamples(1, 4, 1, 0)];
    expect([...first!]).toEqual(PYTHON_SEED0.map(Math.fround));
  });

  it('has mean 0 and standard deviation stdevs', () => {
    const [s] = [...noiseSamples(1, 200_000, 0.25, 3)];
    const mean = s!.reduce((a, v) => a + v, 0) / s!.length;
    const sd = Math.sqrt(s!.reduce((a, v) => a + (v - mean) ** 2, 0) / s!.length);
    expect(Math.abs(mean)).toBeLessThan(0.003); // 5 standard errors: 5 · 0.25 / √200000 ≈ 0.0028
    expect(Math.abs(sd - 0.25)).toBeLessThan(0.002);
  });
});

const PYTHON_SEED0 = [0.7871846599200555, 0.43143961704601397, -1.0777012643800048, -0.8195174925420556];

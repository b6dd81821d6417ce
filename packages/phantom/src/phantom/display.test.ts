import { describe, it, expect } from 'vitest';
import { SeededRandom } from '@envision/core';
import { correlatedNoise, develop, fillNormal, smoothField } from './display.js';

describe('noise', () => {
  it('fillNormal has zero mean and unit variance', () => {
    const x = fillNormal(new SeededRandom(1), new Float32Array(100_001));
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeCloseTo(1, 1);
  });
  it('correlatedNoise keeps about unit variance at any blur, and neighbours correlate more when blurred', () => {
    const size = 128;
    const corr = (x: Float32Array) => {
      let c = 0;
      let v = 0;
      for (let y = 0; y < size; y++) for (let k = 0; k + 1 < size; k++) {
        c += x[y * size + k]! * x[y * size + k + 1]!;
        v += x[y * size + k]! ** 2;
      }
      return c / v;
    };
    const white = correlatedNoise(new SeededRandom(2), size, 0);
    const soft = correlatedNoise(new SeededRandom(2), size, 2);
    for (const x of [white, soft]) {
      const variance = x.reduce((s, v) => s + v * v, 0) / x.length;
      expect(variance).toBeGreaterThan(0.75);
      expect(variance).toBeLessThan(1.25);
    }
    expect(Math.abs(corr(white))).toBeLessThan(0.05);
    expect(corr(soft)).toBeGreaterThan(0.8);
  });
  it('smoothField varies slowly', () => {
    const f = smoothField(new SeededRandom(3), 64, 4);
    let jump = 0;
    for (let i = 1; i < 64; i++) jump = Math.max(jump, Math.abs(f[i]! - f[i - 1]!));
    expect(jump).toBeLessThan(0.3);
  });
});

describe('develop', () => {
  const size = 64;
  const lungs = new Float32Array(size * size);
  it('is deterministic for a seed and maps higher density to brighter pixels', () => {
    const ramp = Float32Array.from({ length: size * size }, (_, i) => (i % size) / size);
    const a = develop(new SeededRandom(4), ramp, lungs, size).image;
    const b = develop(new SeededRandom(4), ramp, lungs, size).image;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const column = (x: number) => {
      let s = 0;
      for (let y = 0; y < size; y++) s += a[y * size + x]!;
      return s / size;
    };
    expect(column(8)).toBeLessThan(column(32));
    expect(column(32)).toBeLessThan(column(56));
  });
  it('draws its display settings from the stream, within their ranges', () => {
    const { settings } = develop(new SeededRandom(5), new Float32Array(size * size), lungs, size);
    expect(settings.low).toBeLessThan(settings.high);
    expect(settings.gamma).toBeGreaterThanOrEqual(0.8);
    expect(settings.gamma).toBeLessThanOrEqual(1.2);
    expect(settings.noise).toBeGreaterThan(0);
  });
});

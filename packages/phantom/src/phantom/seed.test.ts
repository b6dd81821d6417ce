import { describe, it, expect } from 'vitest';
import { EnvisionError } from '@envision/core';
import { checkSeed, deriveSeed, streamRandom } from './seed.js';

describe('deriveSeed', () => {
  it('is a fixed 32-bit function of the seed and the stream name', () => {
    // Pinned values: a change here changes every phantom ever generated.
    expect([deriveSeed(0, 'anatomy'), deriveSeed(12345, 'noise'), deriveSeed(2 ** 40, 'plan')]).toEqual([3714254661, 968071629, 3151003544]);
    const a = deriveSeed(0, 'anatomy');
    expect(Number.isInteger(a) && a >= 0 && a < 2 ** 32).toBe(true);
    expect(deriveSeed(0, 'noise')).not.toBe(a);
    expect(deriveSeed(1, 'anatomy')).not.toBe(a);
  });
  it('uses all 53 bits of the seed', () => {
    expect(deriveSeed(2 ** 32, 'x')).not.toBe(deriveSeed(0, 'x'));
    expect(deriveSeed(2 ** 40 + 5, 'x')).not.toBe(deriveSeed(5, 'x'));
  });
  it('spreads consecutive seeds (no two of 10 000 collide in one stream)', () => {
    const seen = new Set<number>();
    for (let s = 0; s < 10_000; s++) seen.add(deriveSeed(s, 'plan'));
    expect(seen.size).toBe(10_000);
  });
  it('gives independent generators per stream', () => {
    const a = streamRandom(7, 'a');
    const b = streamRandom(7, 'b');
    expect(a.uniform()).not.toBe(b.uniform());
  });
});

describe('checkSeed', () => {
  it('accepts non-negative safe integers and rejects the rest with E_CONFIG', () => {
    expect(() => checkSeed(0)).not.toThrow();
    expect(() => checkSeed(2 ** 53 - 1)).not.toThrow();
    for (const bad of [-1, 1.5, NaN, 2 ** 53]) {
      try {
        checkSeed(bad);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(EnvisionError);
        expect((e as EnvisionError).code).toBe('E_CONFIG');
      }
    }
  });
});

import { describe, it, expect } from 'vitest';
import { generatePhantom } from '../phantom/generate.js';
import type { Phantom } from '../phantom/types.js';
import { walkHeldout } from './heldout.js';

const size = 64;

describe('walkHeldout', () => {
  it('keeps the first n phantoms with findings and hands the accuracy seeds over in order', async () => {
    const seen: Phantom[] = [];
    const walk = await walkHeldout({ range: { first: 40, last: 99 }, size, n: 3, accuracySeeds: 5, onAccuracyPhantom: (p) => void seen.push(p) });
    expect(seen.map((p) => p.seed)).toEqual([40, 41, 42, 43, 44]);
    expect(walk.accuracy).toEqual({ first: 40, last: 44 });
    expect(walk.bench).toHaveLength(3);
    // The bench phantoms are exactly the first three seeds whose phantom has a finding.
    const expected: number[] = [];
    for (let s = 40; expected.length < 3; s++) if (generatePhantom(s, { size }).findings.length > 0) expected.push(s);
    expect(walk.bench.map((p) => p.seed)).toEqual(expected);
    expect(walk.walked).toBe(Math.max(5, expected[2]! - 40 + 1));
    // Regenerated in memory: the same bytes as the generator gives for that seed.
    const again = generatePhantom(walk.bench[0]!.seed, { size });
    expect(Buffer.from(walk.bench[0]!.image).equals(Buffer.from(again.image))).toBe(true);
    expect(walk.bench.every((p) => p.size === size && p.findings.length > 0)).toBe(true);
  });

  it('clamps the accuracy set to the range and walks it whole', async () => {
    const seen: number[] = [];
    const walk = await walkHeldout({ range: { first: 7, last: 12 }, size, n: 1, accuracySeeds: 100, onAccuracyPhantom: (p) => void seen.push(p.seed) });
    expect(seen).toEqual([7, 8, 9, 10, 11, 12]);
    expect(walk.accuracy).toEqual({ first: 7, last: 12 });
    expect(walk.walked).toBe(6);
  });

  it('rejects an n the range cannot supply, and bad counts', async () => {
    const none = () => undefined;
    await expect(walkHeldout({ range: { first: 0, last: 2 }, size, n: 50, accuracySeeds: 1, onAccuracyPhantom: none })).rejects.toMatchObject({
      code: 'E_CONFIG',
      message: expect.stringMatching(/^n = 50 is more than the \d phantoms with findings among the held-out seeds 0–2$/),
    });
    await expect(walkHeldout({ range: { first: 0, last: 2 }, size, n: 0, accuracySeeds: 1, onAccuracyPhantom: none })).rejects.toMatchObject({ code: 'E_CONFIG' });
    await expect(walkHeldout({ range: { first: 0, last: 2 }, size, n: 1, accuracySeeds: 0, onAccuracyPhantom: none })).rejects.toMatchObject({ code: 'E_CONFIG' });
  });
});

import { describe, it, expect } from 'vitest';
import { SeededRandom } from '@envision/core';
import { bySeverity, planFindings, specFor } from './plan.js';
import { PHANTOM_CLASSES } from './types.js';

describe('planFindings', () => {
  it('draws 0–2 distinct classes, about 20 / 50 / 30 %', () => {
    const counts = [0, 0, 0];
    for (let s = 0; s < 2000; s++) {
      const plan = planFindings(new SeededRandom(s));
      counts[plan.length]!++;
      expect(new Set(plan.map((f) => f.class)).size).toBe(plan.length);
    }
    expect(counts[0]! / 2000).toBeCloseTo(0.2, 1);
    expect(counts[1]! / 2000).toBeCloseTo(0.5, 1);
    expect(counts[2]! / 2000).toBeCloseTo(0.3, 1);
  });
  it('honours forced classes and counts, in placement order', () => {
    expect(planFindings(new SeededRandom(1), ['Nodule', 'Pleural Effusion']).map((f) => f.class)).toEqual(['Pleural Effusion', 'Nodule']);
    expect(planFindings(new SeededRandom(1), [])).toEqual([]);
    expect(planFindings(new SeededRandom(1), undefined, 2)).toHaveLength(2);
    expect(planFindings(new SeededRandom(1), undefined, 0)).toHaveLength(0);
  });
  it('rejects unknown classes', () => {
    expect(() => planFindings(new SeededRandom(1), ['Fracture'])).toThrow(/unknown phantom finding 'Fracture'/);
  });
});

describe('specFor', () => {
  it('gives each class plausible attributes', () => {
    const rng = new SeededRandom(2);
    for (let k = 0; k < 200; k++) {
      for (const cls of PHANTOM_CLASSES) {
        const s = specFor(rng, cls);
        expect(['mild', 'moderate', 'severe']).toContain(s.severity);
        if (cls === 'Cardiomegaly') expect([s.side, s.zone]).toEqual([null, null]);
        else if (cls === 'Edema') expect([s.side, s.zone]).toEqual(['bilateral', 'mid']);
        else if (cls === 'Pleural Effusion') expect(['left', 'right', 'bilateral']).toContain(s.side);
        else expect(['left', 'right']).toContain(s.side);
        if (cls === 'Atelectasis') expect(['linear', 'plate-like', 'subsegmental']).toContain(s.subtype);
        else if (cls === 'Consolidation') expect(['patchy', 'airspace']).toContain(s.subtype);
        else expect(s.subtype).toBeNull();
      }
    }
  });
  it('bySeverity picks by position', () => {
    expect([bySeverity('mild', [1, 2, 3]), bySeverity('moderate', [1, 2, 3]), bySeverity('severe', [1, 2, 3])]).toEqual([1, 2, 3]);
  });
});

import { describe, it, expect } from 'vitest';
import type { RunItem } from '../manifest.js';
import { splitReport } from './item-report.js';

const base: RunItem = {
  image: 'a.png',
  method: 'ig',
  target: 'prompts',
  kind: 'embedding',
  strategy: 'direct',
  labels: ['x', 'y', 'z'],
  scores: [0.1, 0.2, 0.3],
  npy: 'a/ig/prompts.npy',
  overlays: [],
  milliseconds: 1,
};

describe('splitReport', () => {
  it('puts per-row number arrays apart from the rest', () => {
    const r = splitReport({ ...base, report: { convergenceDelta: [1e-5, -2e-5, 3e-5], steps: 32, integration: 'gausslegendre', baselines: [0, 1] } });
    expect(r.perRow).toEqual([['convergenceDelta', [1e-5, -2e-5, 3e-5]]]);
    expect(r.other).toEqual([
      ['steps', 32],
      ['integration', 'gausslegendre'],
      ['baselines', [0, 1]],
    ]);
  });

  it('does not treat arrays of other things as per-row numbers', () => {
    expect(splitReport({ ...base, report: { names: ['a', 'b', 'c'] } }).perRow).toEqual([]);
  });

  it('is empty without a report', () => {
    expect(splitReport(base)).toEqual({ perRow: [], other: [] });
  });
});

import { describe, it, expect } from 'vitest';
import { cosineFusion } from './cosine.js';
import { maxFusion, meanFusion } from './ensemble.js';
import { checkFusionCotangents, sampleFusionInput } from '../check/fusion-cotangents.js';

describe('ensemble fusions (MedCLIP PromptClassifier)', () => {
  const groups = [[0, 1, 2], [3, 4]];
  const input = sampleFusionInput({ logits: 'cosine' as const }, 5, 6, groups);
  const logits = cosineFusion.scores({ ...input, options: {} });

  it('mean: one score per class, the mean of its prompt logits; its map is the mean of the prompt maps', () => {
    const s = meanFusion.scores(input);
    expect(s).toHaveLength(2);
    expect(s[0]).toBeCloseTo((logits[0]! + logits[1]! + logits[2]!) / 3, 5);
    expect(s[1]).toBeCloseTo((logits[3]! + logits[4]!) / 2, 5);
    const c = meanFusion.cotangents(input);
    const prompts = cosineFusion.cotangents({ ...input, options: {} });
    for (let i = 0; i < 6; i++) expect(c.data[6 + i]).toBeCloseTo((prompts.data[18 + i]! + prompts.data[24 + i]!) / 2, 5);
    expect(checkFusionCotangents(meanFusion, input)).toBeLessThan(1e-3);
  });

  it('max: the arg-max prompt of each class', () => {
    const s = maxFusion.scores(input);
    expect(s[0]).toBeCloseTo(Math.max(logits[0]!, logits[1]!, logits[2]!), 5);
    expect(s[1]).toBeCloseTo(Math.max(logits[3]!, logits[4]!), 5);
    expect(checkFusionCotangents(maxFusion, input)).toBeLessThan(1e-3);
  });

  it('treats all texts as one class when no groups are given', () => {
    const { groups: _g, ...ungrouped } = input;
    expect(meanFusion.scores(ungrouped)).toHaveLength(1);
    expect(meanFusion.rows!(5, undefined)).toBe(1);
  });
});

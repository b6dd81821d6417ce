import { describe, expect, it } from 'vitest';
import { tensor } from '@envision/onnx-grad';
import type { FusionRule } from '../fusion.js';
import { contrastFusion, cosineFusion, dotFusion, maxFusion, meanFusion, sigmoidFusion, softmaxFusion } from '../fusion-rules/index.js';
import { checkFusion } from './check-fusion.js';
import { failedChecksSync } from './failed-checks.test-support.js';

const builtIn = [dotFusion, cosineFusion, softmaxFusion, sigmoidFusion, contrastFusion, meanFusion, maxFusion] as FusionRule<unknown>[];

/** A copy of a rule with some parts replaced. */
function broken<O>(rule: FusionRule<O>, id: string, parts: Partial<Omit<FusionRule<O>, 'meta'>> & { linear?: boolean }): FusionRule<O> {
  const { linear, ...rest } = parts;
  return { ...rule, meta: { ...rule.meta, id, ...(linear === undefined ? {} : { linear }) }, ...rest };
}

describe('checkFusion on core’s rules', () => {
  // The contrast rule explains A against B: exactly two texts.
  it.each(builtIn.map((r) => [r.meta.id, r] as const))('%s passes', (_, rule) => {
    const results = checkFusion(rule, rule === contrastFusion ? { k: 2 } : {});
    expect(results.map((r) => r.name)).toEqual(['options', 'scores', 'cotangents', 'finite differences', 'linear', 'groups', 'scores with groups', 'cotangents with groups', 'finite differences with groups']);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('reports a rule without rows() as ignoring groups, and checks the rows of one with it', () => {
    expect(checkFusion(cosineFusion).find((r) => r.name === 'groups')).toEqual({ name: 'groups', ok: true, detail: 'ignores groups (no rows()): one row per text expected' });
    expect(checkFusion(meanFusion, { k: 5, groups: [[0, 1, 2], [3, 4]] }).find((r) => r.name === 'scores with groups')!.detail).toBe('2 finite scores');
  });

  it('checks linearity of a linear rule and skips it for the others', () => {
    expect(checkFusion(dotFusion).find((r) => r.name === 'linear')!.detail).toMatch(/^cotangents at e and at −2e \+ cos\(i\): (0|[\d.]+e-\d+) \(tolerance 1e-5\)$/);
    expect(checkFusion(softmaxFusion, { options: { logits: 'dot' } }).find((r) => r.name === 'linear')!.detail).toBe('not declared linear: skipped');
  });
});

describe('checkFusion on broken rules names the failed check', () => {
  it('finite differences: cotangents with the wrong sign', async () => {
    const flipped = broken(cosineFusion, 'flipped', { cotangents: (input) => { const c = cosineFusion.cotangents(input); return tensor('float32', c.shape, c.data.map((v) => -v)); } });
    expect(await failedChecksSync(() => checkFusion(flipped))).toEqual(['finite differences', 'finite differences with groups']);
    expect(() => checkFusion(flipped)).toThrow(/finite differences: cotangents against central differences \(step 1e-3\): 2e\+0 \(tolerance 1e-2\)/);
  });

  it('linear: a nonlinear rule declared linear', async () => {
    expect(await failedChecksSync(() => checkFusion(broken(cosineFusion, 'cosine-linear', { linear: true })))).toEqual(['linear']);
  });

  it('scores and cotangents: one row short, and a NaN score', async () => {
    const short = broken(dotFusion, 'short', {
      scores: (input) => dotFusion.scores(input).subarray(1),
      cotangents: (input) => { const c = dotFusion.cotangents(input); return tensor('float32', [c.shape[0]! - 1, c.shape[1]!], c.data.subarray(c.shape[1]!)); },
    });
    const failed = await failedChecksSync(() => checkFusion(short));
    expect(failed).toEqual(['cotangents', 'cotangents with groups', 'scores', 'scores with groups']);
    const nan = broken(dotFusion, 'nan', { scores: (input) => dotFusion.scores(input).map((v, i) => (i === 1 ? Number.NaN : v)) });
    expect(await failedChecksSync(() => checkFusion(nan))).toContain('scores');
  });

  it('scores with groups: a rule whose rows() disagrees with its scores', async () => {
    const miscount = broken(meanFusion, 'miscount', { rows: (k, groups) => (groups === undefined ? 1 : k) });
    expect(await failedChecksSync(() => checkFusion(miscount))).toEqual(['cotangents with groups', 'scores with groups']);
  });

  it('options: options the schema rejects; a throwing rule is the cause', async () => {
    expect(await failedChecksSync(() => checkFusion(softmaxFusion, { options: { logits: 'nope' as never } }))).toContain('options');
    const boom = new Error('boom');
    const throwing = broken(dotFusion, 'throwing', { scores: () => { throw boom; } });
    expect(() => checkFusion(throwing)).toThrow(expect.objectContaining({ code: 'E_CHECK', cause: boom, message: expect.stringContaining('scores: scores threw: boom') }));
  });
});

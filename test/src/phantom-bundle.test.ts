import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envision, root } from './cli.js';
import { writePhantoms } from '@envision/phantom';

// The committed phantom MedCLIP (fixtures/phantom-medclip) against the numbers PyTorch printed when it was trained
// (scripts/dev/train_phantom_medclip.py): the class logits of the first held-out phantoms, regenerated here from their
// seeds by the TypeScript generator and classified by the TypeScript adapter through onnxruntime.
interface Reference {
  readonly seed: number;
  readonly size: number;
  readonly labels: string[];
  readonly logits: number[];
}
const bundle = join(root, 'fixtures/phantom-medclip');
const training = JSON.parse(readFileSync(join(bundle, 'training.json'), 'utf8')) as {
  reference: Reference[];
  evaluation: { accuracy: number; prompts: Record<string, string[]> };
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envision-phantom-bundle-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the phantom MedCLIP bundle', () => {
  it('has the held-out zero-shot accuracy its training record states, recomputed by envision bench phantom', () => {
    const out = join(dir, 'bench');
    const r = envision(['bench', 'phantom', '--n', '1', '--methods', 'occlusion', '--figures', '0', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const bench = JSON.parse(r.stdout) as { zeroShotAccuracy: number };
    // Same held-out images (regenerated from their seeds), same model, same prompts: the same count of correct images.
    expect(Math.abs(bench.zeroShotAccuracy - training.evaluation.accuracy)).toBeLessThan(1e-9);
  });

  it('gives the class logits PyTorch gave on regenerated held-out phantoms (1e-4 relative)', async () => {
    expect(training.reference.length).toBeGreaterThanOrEqual(3);
    for (const [k, ref] of training.reference.entries()) {
      const out = join(dir, `ref-${k}`);
      await writePhantoms({ n: 1, seed: ref.seed, size: ref.size, out });
      const r = envision([
        'classify', '--bundle', bundle, '--image', join(out, 'images/phantom-0.png'),
        '--prompts', join(bundle, 'prompts.yaml'), '--json',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const got = (JSON.parse(r.stdout) as { classes: { name: string; logit: number }[] }).classes;
      expect(got.map((c) => c.name)).toEqual(Object.keys(training.evaluation.prompts));
      const scale = Math.max(...ref.logits.map(Math.abs));
      for (const [i, c] of got.entries()) expect(Math.abs(c.logit - ref.logits[i]!) / scale).toBeLessThan(1e-4);
    }
  });
});

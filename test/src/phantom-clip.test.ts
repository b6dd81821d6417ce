import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maxRelativeError, readNpy } from '@envision/core';
import { writePhantoms } from '@envision/phantom';
import { envision, root } from './cli.js';

// The committed phantom CLIP (fixtures/phantom-clip, trained by scripts/dev/train_phantom_clip.py and imported with
// `envision import clip`) against the numbers PyTorch gave on the trained weights: the image and text embeddings and
// the class logits of the first held-out phantoms, regenerated here from their seeds by the TypeScript generator and
// run by the clip adapter through onnxruntime; and the held-out zero-shot accuracy of its training record.
interface Reference {
  readonly seed: number;
  readonly size: number;
  readonly labels: string[];
  readonly logits: number[];
}
const model = join(root, 'fixtures/phantom-clip');
const training = JSON.parse(readFileSync(join(model, 'training.json'), 'utf8')) as {
  reference: Reference[];
  phantoms: { heldout: { seeds: [number, number] } };
  evaluation: { accuracy: number; n: number; prompts: Record<string, string[]> };
};
const METRICS = ['pointingGame', 'energyInBox', 'massOutsideBody', 'classMapSimilarity', 'deletionAuc', 'insertionAuc'];

let dir: string;
const images: string[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'envision-phantom-clip-'));
  for (const [k, ref] of training.reference.entries()) {
    const out = join(dir, `ref-${k}`);
    await writePhantoms({ n: 1, seed: ref.seed, size: ref.size, out });
    images.push(join(out, 'images/phantom-0.png'));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the phantom CLIP (fixtures/phantom-clip)', () => {
  it('is evaluated on the held-out seeds of the phantom MedCLIP bundle', () => {
    const medclip = JSON.parse(readFileSync(join(root, 'fixtures/phantom-medclip/training.json'), 'utf8')) as typeof training;
    expect(training.phantoms.heldout.seeds).toEqual(medclip.phantoms.heldout.seeds);
    expect(training.evaluation.prompts).toEqual(medclip.evaluation.prompts);
    expect(training.evaluation.n).toBe(medclip.evaluation.n);
  });

  it("embeds regenerated held-out phantoms and the class prompts as torch did (1e-4 relative)", async () => {
    expect(training.reference.length).toBeGreaterThanOrEqual(3);
    const out = join(dir, 'image_embeds.npy');
    const r = envision(['embed', '--model', model, ...images.flatMap((f) => ['--image', f]), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(maxRelativeError(await readNpy(out), await readNpy(join(model, 'reference/image_embeds.npy')))).toBeLessThan(1e-4);
    const prompts = Object.values(training.evaluation.prompts).flat();
    const textOut = join(dir, 'text_embeds.npy');
    const t = envision(['embed', '--model', model, ...prompts.flatMap((p) => ['--prompt', p]), '--out', textOut]);
    expect(t.code, t.stderr).toBe(0);
    expect(maxRelativeError(await readNpy(textOut), await readNpy(join(model, 'reference/text_embeds.npy')))).toBeLessThan(1e-4);
  });

  it('gives the class logits PyTorch gave (envision classify --model, 1e-4 relative)', async () => {
    const logits = await readNpy(join(model, 'reference/logits.npy'));
    for (const [k, ref] of training.reference.entries()) {
      const r = envision(['classify', '--model', model, '--image', images[k]!, '--prompts', join(model, 'prompts.yaml'), '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const got = (JSON.parse(r.stdout) as { classes: { name: string; logit: number }[] }).classes;
      expect(got.map((c) => c.name)).toEqual(Object.keys(training.evaluation.prompts));
      const scale = Math.max(...ref.logits.map(Math.abs));
      for (const [i, c] of got.entries()) {
        expect(Math.abs(c.logit - ref.logits[i]!) / scale).toBeLessThan(1e-4);
        expect(Math.abs(c.logit - logits.data[k * got.length + i]!) / scale).toBeLessThan(1e-4);
      }
    }
  });

  it('has the held-out zero-shot accuracy its training record states, recomputed by envision bench phantom --model', () => {
    const out = join(dir, 'bench');
    const r = envision(['bench', 'phantom', '--model', model, '--n', '1', '--methods', 'occlusion', '--figures', '0', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const bench = JSON.parse(r.stdout) as { zeroShotAccuracy: number; n: number; methods: Record<string, Record<string, Record<string, number>>> };
    expect(Object.keys(bench)).toEqual(['zeroShotAccuracy', 'n', 'methods']);
    expect(bench.n).toBe(1);
    expect(Object.keys(bench.methods)).toEqual(['occlusion']);
    for (const approach of ['baseline', 'proposed']) {
      expect(Object.keys(bench.methods['occlusion']![approach]!)).toEqual(METRICS);
      for (const key of METRICS) expect(Number.isFinite(bench.methods['occlusion']![approach]![key])).toBe(true);
    }
    // Same held-out images (regenerated from their seeds), same weights, same prompts: the same count of correct images.
    expect(Math.abs(bench.zeroShotAccuracy - training.evaluation.accuracy)).toBeLessThan(1e-9);
  }, 120_000);
});

// Text-token attributions (`explain: text`) on the tiny MedCLIP-style bundle against torch (scripts/dev/
// make_token_fixtures.py, float64, checked there against Captum 0.8.0's LayerIntegratedGradients): Layer IG at the
// text encoder's word embeddings and saliency × embedding, per token, for the dot and cosine scores.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxRelativeError, readNpy, type TokensFile } from '@envision/core';
import { envision, root, useTempDir } from './cli.js';

const temp = useTempDir('envision-tokens-');

const meta = JSON.parse(readFileSync(join(root, 'fixtures/tokens/meta.json'), 'utf8')) as { prompts: string[]; tokens: string[][]; L: number };

describe('token attributions equal torch (Layer IG at the word embeddings, 50 Gauss–Legendre points)', () => {
  for (const fusion of ['dot', 'cosine'] as const) {
    it(`${fusion}: per-token Layer IG and saliency × embedding to 1e-4, IG summing to the score change`, async () => {
      const out = join(temp(), fusion);
      const yaml = join(temp(), `${fusion}.yaml`);
      writeFileSync(
        yaml,
        `model: { adapter: medclip, bundle: ${join(root, 'fixtures/tiny-dual')} }
images: [${join(root, 'fixtures/images/cxr-a.png')}]
methods: [{ id: ig, options: { steps: 50 } }, { id: saliency, options: { abs: false } }]
targets: [{ name: prompts, texts: ${JSON.stringify(meta.prompts)}, fusion: { id: ${fusion} }, explain: text }]
output: { dir: ${out}, signs: [all] }
`,
      );
      const r = envision(['run', yaml]);
      expect(r.code, r.stderr).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { items: { method: string; tokens?: string; words?: unknown[] }[] };
      const ig = manifest.items.find((i) => i.method === 'ig')!;
      expect(ig.tokens).toBe('cxr-a/ig/prompts.tokens.json');
      const file = JSON.parse(readFileSync(join(out, ig.tokens!), 'utf8')) as TokensFile;
      expect(file).toMatchObject({ format: 'envision-tokens/1', method: 'ig', target: 'prompts', score: fusion, shown: 'ig' });
      const refIg = await readNpy(join(root, `fixtures/tokens/tokens-lig-${fusion}.npy`));
      const refSxe = await readNpy(join(root, `fixtures/tokens/tokens-sxe-${fusion}.npy`));
      const ours: number[] = [];
      const theirs: number[] = [];
      const oursSxe: number[] = [];
      const theirsSxe: number[] = [];
      file.prompts.forEach((p, k) => {
        const real = meta.tokens[k]!.filter((t) => t !== '[PAD]');
        expect(p.tokens).toEqual(real);
        ours.push(...p.ig);
        theirs.push(...Array.from(refIg.data.subarray(k * meta.L, k * meta.L + real.length), Number));
        oursSxe.push(...p.saliencyTimesEmbedding);
        theirsSxe.push(...Array.from(refSxe.data.subarray(k * meta.L, k * meta.L + real.length), Number));
        // completeness: Σ IG = s(E) − s(E₀) up to the reported delta, which is small
        expect(Math.abs(p.ig.reduce((a, b) => a + b, 0) - (p.score - p.baselineScore) - p.convergenceDelta)).toBeLessThan(1e-6);
        expect(Math.abs(p.convergenceDelta)).toBeLessThan(1e-4 * Math.abs(p.score - p.baselineScore) + 1e-7);
      });
      expect(maxRelativeError(ours, theirs)).toBeLessThan(1e-4);
      expect(maxRelativeError(oursSxe, theirsSxe)).toBeLessThan(1e-4);
      // words: WordPiece '##' pieces joined, special tokens left out
      expect(file.prompts[2]!.words.map((w) => w.word)).toEqual(['small', 'bilateral', 'pleural', 'effusions', '.']);
      const saliency = manifest.items.find((i) => i.method === 'saliency')!;
      expect(saliency.tokens).toBe('cxr-a/saliency/prompts.tokens.json');
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<p class="words"><span style="background:');
    });
  }

  it('explain: text on a dimensions target is a config error at its line', () => {
    const yaml = join(temp(), 'bad.yaml');
    writeFileSync(yaml, `model: { adapter: medclip, bundle: ${join(root, 'fixtures/tiny-dual')} }\nimages: [${join(root, 'fixtures/images/cxr-a.png')}]\nmethods: [{ id: ig }]\ntargets: [{ name: d, dimensions: [0], explain: text }]\n`);
    const r = envision(['validate', yaml]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/bad\.yaml:4:/);
  });
});

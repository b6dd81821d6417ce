import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, maxRelativeError } from '@envision/core';
import { envision, root } from './cli.js';

// References from scripts/dev/make_fusion_fixtures.py: torch.autograd (float64) of MedCLIP's true logit
// τ·cos(t_k, e(x)), of its softmax over the prompts, and of the paper's dot score, with respect to the pixels.
const reference = JSON.parse(readFileSync(join(root, 'fixtures/tiny-dual/reference.json'), 'utf8')) as { prompts: string[] };
let dir: string;


beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envision-fusion-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fusion maps equal the gradient of the fused score (saliency, signed)', () => {
  for (const [fusion, file] of [['cosine', 'logit_saliency.npy'], ['softmax', 'softmax_saliency.npy'], ['dot', 'dot_saliency.npy']] as const) {
    it(`${fusion}: matches torch.autograd to 1e-4`, async () => {
      const out = join(dir, fusion);
      const yaml = join(dir, `${fusion}.yaml`);
      writeFileSync(
        yaml,
        `model: { adapter: medclip, bundle: ${join(root, 'fixtures/tiny-dual')} }
images: [${join(root, 'fixtures/images/cxr-a.png')}]
methods: [{ id: saliency, options: { abs: false } }]
targets: [{ name: prompts, texts: ${JSON.stringify(reference.prompts)}, fusion: { id: ${fusion} } }]
output: { dir: ${out}, signs: [all] }
`,
      );
      const r = envision(['run', yaml]);
      expect(r.code).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { items: { npy: string; scores: number[]; strategy: string }[] };
      const item = manifest.items[0]!;
      expect(item.strategy).toBe('direct');
      const maps = await readNpy(join(out, item.npy));
      const expected = await readNpy(join(root, 'fixtures/fusion', file));
      expect(maps.shape).toEqual([3, 3, 224, 224]);
      expect(maxRelativeError(maps.data as Float32Array, expected.data as Float32Array)).toBeLessThan(1e-4);
      const logits = JSON.parse(readFileSync(join(root, 'fixtures/fusion/logits.json'), 'utf8')) as Record<string, number[]>;
      item.scores.forEach((s, k) => expect(s).toBeCloseTo(logits[fusion]![k]!, 4));
    });
  }
});

// `envision run` on the tiny CLIP and SigLIP fixtures: saliency and Integrated Gradients maps of the dot, cosine and
// sigmoid fusions equal torch.autograd of the same scalars (scripts/dev/make_clip_fixtures.py, float64, stored as
// float32) to 1e-4 relative. The scalars: dot d_k = τ⟨t̂_k, e⟩; cosine s_k = τ·cos(t_k, e) + b; sigmoid σ(s_k).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxRelativeError, readNpy } from '@envision/core';
import { envision, root, useTempDir } from './cli.js';

const temp = useTempDir('envision-clip-fusion-');

const cases = [
  ['tiny-clip', ['dot', 'cosine']],
  ['tiny-siglip', ['dot', 'cosine', 'sigmoid']],
] as const;

for (const [model, fusions] of cases) {
  describe(`${model}: maps equal torch.autograd of the fused score`, () => {
    const reference = JSON.parse(readFileSync(join(root, `fixtures/${model}/reference/reference.json`), 'utf8')) as {
      prompts: string[];
      gradients: { values: Record<string, { at_x: number[] }> };
    };
    for (const fusion of fusions) {
      it(`${fusion}: saliency and IG (50 Gauss–Legendre points, baseline 0) to 1e-4`, async () => {
        const out = join(temp(), `${model}-${fusion}`);
        const yaml = join(temp(), `${model}-${fusion}.yaml`);
        writeFileSync(
          yaml,
          `model: { adapter: clip, dir: ${join(root, 'fixtures', model)} }
images: [${join(root, 'fixtures/images/cxr-a.png')}]
methods: [{ id: saliency, options: { abs: false } }, { id: ig }]
targets: [{ name: prompts, texts: ${JSON.stringify(reference.prompts)}, fusion: { id: ${fusion} } }]
strategy: direct
output: { dir: ${out}, signs: [all] }
`,
        );
        const r = envision(['run', yaml]);
        expect(r.code, r.stderr).toBe(0);
        const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { items: { method: string; npy: string; scores: number[] }[] };
        for (const [method, file] of [['saliency', 'saliency'], ['ig', 'ig']] as const) {
          const item = manifest.items.find((i) => i.method === method)!;
          const maps = await readNpy(join(out, item.npy));
          const expected = await readNpy(join(root, `fixtures/${model}/reference/${file}-${fusion}.npy`));
          expect(maps.shape).toEqual([3, 3, 32, 32]);
          expect(maxRelativeError(maps, expected), `${method} ${fusion}`).toBeLessThan(1e-4);
          item.scores.forEach((s, k) => expect(s).toBeCloseTo(reference.gradients.values[fusion]!.at_x[k]!, 4));
        }
      });
    }
  });
}

// The masks and random draws of @envision/method-feature-mask for the reference fixtures (dev-time only; tests and CI
// never run it). make_feature_mask_fixtures.py runs it first, then replays exactly these masks, permutations and
// coalitions through Captum, so that the comparison in test/src/feature-mask-vs-torch.test.ts is exact.
//
//   pnpm run build && node scripts/dev/export_feature_mask_draws.mjs     # from the repository root
//
// Reads fixtures/methods/feature-mask/cases.json (models, masks, seeds, samples) and writes, next to it:
//   masks/<model>-<mask>.npy   int64 [H, W] feature ids (the TypeScript mask, superpixels computed from the input)
//   draws.json                 per model and mask: m (features), permutations (shapley-sampling), coalitions of
//                              kernel-shap and lime, each as drawn by the package from the case's seed
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy, tensor, encodeNpy } from '../../packages/core/dist/index.js';
import { buildMask, drawPermutations, drawKernelShapCoalitions, drawLimeCoalitions } from '../../packages/method-feature-mask/dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'fixtures/methods/feature-mask');
const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
mkdirSync(join(dir, 'masks'), { recursive: true });
const draws = {};
for (const [model, spec] of Object.entries(cases.models)) {
  const x = await readNpy(join(dir, spec.input));
  draws[model] = {};
  for (const [name, maskCase] of Object.entries(cases.masks)) {
    const mask = await buildMask(maskCase.mask, x, dir, 'export');
    const file = `masks/${model}-${name}.npy`;
    writeFileSync(join(dir, file), encodeNpy(tensor('int64', mask.shape, BigInt64Array.from(mask.ids, BigInt))));
    const { samples, seed } = cases.sampling;
    draws[model][name] = {
      mask: file,
      m: mask.count,
      permutations: drawPermutations(mask.count, samples, seed).map((p) => [...p]),
      kernelShap: drawKernelShapCoalitions(mask.count, samples, seed).map((z) => [...z]),
      lime: drawLimeCoalitions(mask.count, samples, seed).map((z) => [...z]),
    };
  }
}
writeFileSync(join(dir, 'draws.json'), JSON.stringify(draws) + '\n');
console.log(Object.entries(draws).map(([m, d]) => `${m}: ${Object.entries(d).map(([k, v]) => `${k} ${v.m} features`).join(', ')}`).join('\n'));

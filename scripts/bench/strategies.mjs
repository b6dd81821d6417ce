#!/usr/bin/env node
// Benchmark of the two strategies (issue 5) on the MedCLIP-size Swin-T encoder (M = 512): `direct` (fuse first: one
// attribution of K weighted rows) vs `jacobian` (the paper's literal procedure: M per-dimension maps, stored, then
// fused), for K = 1, 5, 50 prompts, for integrated gradients and occlusion; and the time to fuse one more prompt from
// the stored maps. Needs `pnpm run build` and .cache/bench/swin_t_512.onnx (scripts/dev/export_bench_models.py).
// Usage: node scripts/bench/strategies.mjs [--ig-steps 4] [--rows 1,5,50] [--window 32]
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DifferentiableOnnxModel, attribute, fuseStored, perDimensionMaps, tensor } from '../../packages/core/dist/index.js';
import { integratedGradients } from '../../packages/method-ig/dist/index.js';
import { occlusion } from '../../packages/method-occlusion/dist/index.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: '.cache/bench/swin_t_512.onnx' },
    rows: { type: 'string', default: '1,5,50' },
    'ig-steps': { type: 'string', default: '4' },
    window: { type: 'string', default: '32' },
  },
});
if (!existsSync(values.model)) {
  console.error(`missing ${values.model}: run /usr/bin/python3 scripts/dev/export_bench_models.py first`);
  process.exit(2);
}
const model = await DifferentiableOnnxModel.load(values.model, { cacheDir: mkdtempSync(join(tmpdir(), 'envision-bench-st-')) });
const x = tensor('float32', [1, 3, 224, 224], Float32Array.from({ length: 150528 }, (_, i) => Math.sin(i)));
const w = Number(values.window);
const methods = [
  { name: `ig (${values['ig-steps']} steps)`, method: integratedGradients, options: { steps: Number(values['ig-steps']) } },
  { name: `occlusion (window ${w}, stride ${w})`, method: occlusion, options: { window: [3, w, w], strides: [3, w, w], perturbationsPerEval: 16 } },
];
const common = { model, inputs: { pixel_values: x }, wrt: 'pixel_values', of: 'image_embeds' };
const weightsOf = (k) => tensor('float32', [k, 512], Float32Array.from({ length: k * 512 }, (_, i) => Math.cos(i)));
console.log(`${values.model}, M = 512`);
console.log('| method | K | direct ms | jacobian ms (per-dimension maps + fuse) | fuse only ms |');
console.log('|---|---|---|---|---|');
for (const { name, method, options } of methods) {
  await attribute({ ...common, method, options, weights: weightsOf(1), strategy: 'direct' }); // warm-up, builds gradient models
  const t0 = performance.now();
  const { maps: store } = await perDimensionMaps(method, options, model, 'pixel_values', 'image_embeds', x, 512);
  const storeMs = performance.now() - t0;
  for (const k of values.rows.split(',').map(Number)) {
    const t1 = performance.now();
    await attribute({ ...common, method, options, weights: weightsOf(k), strategy: 'direct' });
    const directMs = performance.now() - t1;
    const t2 = performance.now();
    await fuseStored(store, weightsOf(k));
    const fuseMs = performance.now() - t2;
    console.log(`| ${name} | ${k} | ${directMs.toFixed(0)} | ${(storeMs + fuseMs).toFixed(0)} (${storeMs.toFixed(0)} + ${fuseMs.toFixed(1)}) | ${fuseMs.toFixed(1)} |`);
  }
  const t3 = performance.now();
  await fuseStored(store, weightsOf(1));
  console.log(`| ${name} | +1 prompt from the store | | | ${(performance.now() - t3).toFixed(1)} |`);
}
console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 2 ** 20).toFixed(2)} GiB`);

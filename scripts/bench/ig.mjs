#!/usr/bin/env node
// Benchmark of Integrated Gradients (issue 4): 50 steps, K = 5 target rows, on the MedCLIP-size Swin-T encoder, at
// internal batch sizes 1, 10 and 25 — wall time, and the ratio to the bare cost of 50 forward+VJP evaluations
// measured in the same run (the method's own overhead). Peak memory is per process, so each batch size runs in a
// child process. Needs `pnpm run build` and .cache/bench/swin_t_512.onnx (scripts/dev/export_bench_models.py).
// Usage: node scripts/bench/ig.mjs [--model FILE] [--batches 1,10,25] [--rows 5] [--steps 50]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: '.cache/bench/swin_t_512.onnx' },
    batches: { type: 'string', default: '1,10,25' },
    rows: { type: 'string', default: '5' },
    steps: { type: 'string', default: '50' },
    child: { type: 'string' },
    cache: { type: 'string' },
  },
});
const core = '../../packages/core/dist/index.js';

if (values.child !== undefined) {
  const { DifferentiableOnnxModel, attribute, tensor } = await import(core);
  const { integratedGradients } = await import('../../packages/method-ig/dist/index.js');
  const b = Number(values.child);
  const k = Number(values.rows);
  const steps = Number(values.steps);
  const model = await DifferentiableOnnxModel.load(values.model, { cacheDir: values.cache });
  const x = tensor('float32', [1, 3, 224, 224], Float32Array.from({ length: 150528 }, (_, i) => Math.sin(i)));
  const weights = tensor('float32', [k, 512], Float32Array.from({ length: k * 512 }, (_, i) => Math.cos(i)));
  const job = { method: integratedGradients, options: { steps, internalBatchSize: b }, model, inputs: { pixel_values: x }, wrt: 'pixel_values', of: 'image_embeds', weights, strategy: 'direct' };
  await attribute(job); // build and warm the gradient model for this batch size
  const t0 = performance.now();
  const result = await attribute(job);
  const igMs = performance.now() - t0;
  // The bare cost: the same number of forward+VJP evaluations, in the same batches, without the method's own work.
  const batch = tensor('float32', [b, 3, 224, 224], new Float32Array(b * 150528).fill(0.1));
  const t1 = performance.now();
  for (let done = 0; done < steps; done += b) await model.vjp({ pixel_values: batch }, 'image_embeds', 'pixel_values', weights);
  const bareMs = performance.now() - t1;
  console.log(JSON.stringify({ b, igMs, bareMs, maxRssGiB: process.resourceUsage().maxRSS / 2 ** 20, delta: result.report.convergenceDelta }));
  process.exit(0);
}

if (!existsSync(values.model)) {
  console.error(`missing ${values.model}: run /usr/bin/python3 scripts/dev/export_bench_models.py first`);
  process.exit(2);
}
const cache = mkdtempSync(join(tmpdir(), 'envision-bench-ig-'));
console.log(`IG, ${values.steps} steps (gausslegendre), K = ${values.rows} rows, ${values.model}`);
console.log('| internal batch | IG wall ms | bare forward+VJP ms | overhead (IG / bare) | peak RSS GiB |');
console.log('|---|---|---|---|---|');
for (const b of values.batches.split(',')) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', b, '--model', values.model, '--rows', values.rows, '--steps', values.steps, '--cache', cache], { encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').at(-1);
  if (r.status !== 0 || !line) {
    console.log(`| ${b} | failed: ${r.stderr.trim().split('\n').at(-1)} | | | |`);
    continue;
  }
  const m = JSON.parse(line);
  console.log(`| ${b} | ${m.igMs.toFixed(0)} | ${m.bareMs.toFixed(0)} | ${(m.igMs / m.bareMs).toFixed(3)} | ${m.maxRssGiB.toFixed(2)} |`);
}

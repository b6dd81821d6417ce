#!/usr/bin/env node
// Benchmark of the ONNX gradient engine (issue 3): forward vs VJP time on a MedCLIP-size vision encoder.
// Needs the built packages (pnpm run build) and the model exported by scripts/dev/export_bench_models.py
// (torchvision swin_t with a 768→512 bias-free head, random weights) at .cache/bench/swin_t_512.onnx.
// Usage: node scripts/bench/grad.mjs [--model FILE] [--batches 1,8] [--rows 1,5,512] [--repeats 3] [--threads N]
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DifferentiableOnnxModel, tensor } from '../../packages/core/dist/index.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: '.cache/bench/swin_t_512.onnx' },
    batches: { type: 'string', default: '1,8' },
    rows: { type: 'string', default: '1,5,512' },
    repeats: { type: 'string', default: '3' },
    threads: { type: 'string' },
    input: { type: 'string', default: 'pixel_values' },
    output: { type: 'string', default: 'image_embeds' },
    'max-work': { type: 'string', default: '1024', description: 'skip configs with batch × rows above this' },
    'rows-per-call': { type: 'string' },
    'skip-warmup': { type: 'boolean', default: false },
    'skip-fresh': { type: 'boolean', default: false },
  },
});
if (!existsSync(values.model)) {
  console.error(`missing ${values.model}: run /usr/bin/python3 scripts/dev/export_bench_models.py first`);
  process.exit(2);
}
const batches = values.batches.split(',').map(Number);
const rowsList = values.rows.split(',').map(Number);
const repeats = Number(values.repeats);
const threads = {
  ...(values.threads === undefined ? {} : { intraOpNumThreads: Number(values.threads) }),
  ...(values['rows-per-call'] === undefined ? {} : { rowsPerCall: Number(values['rows-per-call']) }),
};
const cacheDir = mkdtempSync(join(tmpdir(), 'envision-bench-'));

function random(shape, seed) {
  let a = seed;
  const n = shape.reduce((x, y) => x * y, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a * 1664525 + 1013904223) >>> 0;
    data[i] = a / 2 ** 32 - 0.5;
  }
  return tensor('float32', shape, data);
}
async function time(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gib = (bytes) => (bytes / 2 ** 30).toFixed(2);

const model = await DifferentiableOnnxModel.load(values.model, { cacheDir, ...threads });
const [, c, h, w] = [0, 3, 224, 224];
console.log(`model ${values.model}, threads ${values.threads ?? 'default'}, repeats ${repeats} (median)`);
console.log('| batch | rows K | forward ms | VJP ms | VJP / forward | VJP / (K·forward) | rows per call | calls |');
console.log('|---|---|---|---|---|---|---|---|');
const buildTimes = [];
for (const b of batches) {
  const x = random([b, c, h, w], 1);
  const feeds = { [values.input]: x };
  await model.run(feeds);
  const forwardTimes = [];
  for (let i = 0; i < repeats; i++) forwardTimes.push(await time(() => model.run(feeds)));
  const fwd = median(forwardTimes);
  for (const k of rowsList) {
    if (b * k > Number(values['max-work'])) {
      console.log(`| ${b} | ${k} | ${fwd.toFixed(0)} | skipped (batch × rows > ${values['max-work']}) | | | | |`);
      continue;
    }
    const cot = random([k, 512], 2);
    // The first call builds (or loads) the gradient model; with --skip-warmup it is built on a single row and the
    // measured call below is the first full one.
    const warmCot = values['skip-warmup'] ? random([1, 512], 2) : cot;
    const first = await time(() => model.vjp(feeds, values.output, values.input, warmCot));
    buildTimes.push({ b, k, ms: first, stats: { ...model.lastStats } });
    const t = [];
    for (let i = 0; i < repeats; i++) t.push(await time(() => model.vjp(feeds, values.output, values.input, cot)));
    const vjp = median(t);
    const s = model.lastStats;
    console.log(`| ${b} | ${k} | ${fwd.toFixed(0)} | ${vjp.toFixed(0)} | ${(vjp / fwd).toFixed(2)} | ${(vjp / (k * fwd)).toFixed(2)} | ${s.rowsPerCall} | ${s.calls} |`);
  }
}
console.log('\nFirst call of each configuration (build or load of the gradient model, plus one VJP):');
for (const { b, k, ms, stats } of buildTimes) console.log(`- batch ${b}, K ${k}: ${ms.toFixed(0)} ms (gradient model ${stats.source}, prepare ${stats.prepareMs.toFixed(0)} ms)`);
if (values['skip-fresh']) {
  console.log(`\npeak RSS ${gib(process.resourceUsage().maxRSS * 1024)} GiB`);
  process.exit(0);
}
// The disk cache: a fresh instance loads the built gradient model instead of building it.
const fresh = await DifferentiableOnnxModel.load(values.model, { cacheDir, ...threads });
const x1 = random([batches[0], c, h, w], 1);
await fresh.vjp({ [values.input]: x1 }, values.output, values.input, random([rowsList[0], 512], 2));
console.log(`- fresh instance, batch ${batches[0]}, K ${rowsList[0]}: gradient model ${fresh.lastStats.source}, prepare ${fresh.lastStats.prepareMs.toFixed(0)} ms`);
console.log(`\npeak RSS ${gib(process.resourceUsage().maxRSS * 1024)} GiB`);

#!/usr/bin/env node
// Every row of issue 23's goals table from one run, on the MedCLIP-size encoder (torchvision swin_t + 768→512 head,
// random weights, .cache/bench/swin_t_512.onnx from /usr/bin/python3 scripts/dev/export_bench_models.py), one image
// 224², K = 5 prompts. Each row runs in a fresh child process, so its peak resident memory (maxRSS) is its own; each
// child also measures the onnxruntime forward time at batch 1 in the same process, the reference its figure is read
// against (the machine is shared: compare ratios from one run, not absolute times across runs). Gradient models are
// built (and cached in a temporary folder shared by the children) by a warm-up call before the timed call.
// The VJP row times forwards and VJPs in alternating blocks; the occlusion floor is 730 × the forward per image at the
// best batch, averaged over 20 calls in a row just before and just after the method.
// The `pnpm demo` row runs the demo (configs/demo.yaml, the phantom MedCLIP) into a temporary folder and reads its
// manifest's timings. Needs `pnpm run build`.
// Usage: node scripts/bench/issue23.mjs [--model FILE] [--rows forward,vjp,ig,saliency,gradshap,perdim-saliency,perdim-gb,occlusion,demo]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROWS = ['forward', 'vjp', 'ig', 'saliency', 'gradshap', 'perdim-saliency', 'perdim-gb', 'occlusion', 'demo'];
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: '.cache/bench/swin_t_512.onnx' },
    rows: { type: 'string', default: ROWS.join(',') },
    child: { type: 'string' },
    cache: { type: 'string' },
    'warm-only': { type: 'boolean', default: false },
  },
});
const GiB = 2 ** 30;
const rss = () => (process.resourceUsage().maxRSS * 1024) / GiB; // maxRSS is in KiB
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const K = 5;

async function child(row) {
  const { DifferentiableOnnxModel, attribute, perDimensionMaps, tensor } = await import('../../packages/core/dist/index.js');
  const { integratedGradients } = await import('../../packages/method-ig/dist/index.js');
  const { saliency, guidedBackprop } = await import('../../packages/method-gb/dist/index.js');
  const { gradientShap } = await import('../../packages/method-gradshap/dist/index.js');
  const { occlusion } = await import('../../packages/method-occlusion/dist/index.js');
  const model = await DifferentiableOnnxModel.load(values.model, { cacheDir: values.cache });
  const x = tensor('float32', [1, 3, 224, 224], Float32Array.from({ length: 150528 }, (_, i) => Math.sin(i)));
  const weightsOf = (k) => tensor('float32', [k, 512], Float32Array.from({ length: k * 512 }, (_, i) => Math.cos(i)));
  const feeds = { pixel_values: x };
  const timed = async (fn) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  // The reference: onnxruntime's forward at batch 1 (median of 5, after one warm-up), in this process.
  await model.run(feeds);
  const fwds = [];
  for (let i = 0; i < 5; i++) fwds.push(await timed(() => model.run(feeds)));
  const forwardMs = median(fwds);
  const common = { model, inputs: feeds, wrt: 'pixel_values', of: 'image_embeds', strategy: 'direct' };
  const out = { row, forwardMs };
  // With --warm-only the child builds the row's gradient model into the shared cache and stops: the measured child
  // then loads it from disk, so its peak RSS is that of running, not of building (reported apart as "build").
  const warmOnly = values['warm-only'];
  const done = () => {
    console.log(JSON.stringify({ row, buildRssGiB: rss() }));
    process.exit(0);
  };
  if (row === 'forward') {
    // Forward per image at several batches: the floor occlusion is compared with.
    out.perItem = {};
    for (const b of [1, 4, 8, 16, 32]) {
      const xb = tensor('float32', [b, 3, 224, 224], new Float32Array(b * 150528).fill(0.1));
      await model.run({ pixel_values: xb });
      const t = [];
      for (let i = 0; i < 3; i++) t.push(await timed(() => model.run({ pixel_values: xb })));
      out.perItem[b] = median(t) / b;
    }
  } else if (row === 'vjp') {
    const cot = weightsOf(1);
    await model.vjp(feeds, 'image_embeds', 'pixel_values', cot);
    if (warmOnly) done();
    // Blocks of forwards and VJPs in turn (each block's first call untimed: the other session's threads may still be
    // spinning), so that both medians see the same drift of a shared machine.
    const f = [];
    const t = [];
    for (let block = 0; block < 4; block++) {
      await model.run(feeds);
      for (let i = 0; i < 4; i++) f.push(await timed(() => model.run(feeds)));
      await model.vjp(feeds, 'image_embeds', 'pixel_values', cot);
      for (let i = 0; i < 4; i++) t.push(await timed(() => model.vjp(feeds, 'image_embeds', 'pixel_values', cot)));
    }
    out.forwardMs = median(f);
    out.ms = median(t);
  } else if (row === 'ig') {
    // Build the gradient model for IG's internal batch with a run of that many steps, then time IG-50.
    const batch = Math.min(50, await model.batchLimit(feeds, 'image_embeds', 'pixel_values', K));
    out.warmMs = await timed(() => attribute({ ...common, method: integratedGradients, options: { steps: batch }, weights: weightsOf(K) }));
    if (warmOnly) done();
    let r;
    out.ms = await timed(async () => (r = await attribute({ ...common, method: integratedGradients, options: { steps: 50 }, weights: weightsOf(K) })));
    out.detail = `internal batch ${r.report.internalBatchSize}, rows/call ${model.lastStats.rowsPerCall}`;
  } else if (row === 'saliency' || row === 'gradshap') {
    const [method, options] = row === 'saliency' ? [saliency, {}] : [gradientShap, { baselines: [0], samples: 5 }];
    out.warmMs = await timed(() => attribute({ ...common, method, options, weights: weightsOf(K) }));
    if (warmOnly) done();
    out.ms = await timed(() => attribute({ ...common, method, options, weights: weightsOf(K) }));
    out.detail = `rows/call ${model.lastStats.rowsPerCall}`;
  } else if (row === 'perdim-saliency' || row === 'perdim-gb') {
    const [method, options] = row === 'perdim-saliency' ? [saliency, { abs: false }] : [guidedBackprop, {}];
    out.warmMs = await timed(() => attribute({ ...common, method, options, weights: weightsOf(8) }));
    if (warmOnly) done();
    out.ms = await timed(() => perDimensionMaps(method, options, model, 'pixel_values', 'image_embeds', x, 512));
    out.detail = `rows/call ${model.lastStats?.rowsPerCall ?? '?'}`;
  } else if (row === 'occlusion') {
    // The floor: 730 forwards (27² windows + the unperturbed image) at the best batch measured here.
    let best = { b: 1, perItem: forwardMs };
    for (const b of [4, 8, 16, 32]) {
      const xb = tensor('float32', [b, 3, 224, 224], new Float32Array(b * 150528).fill(0.1));
      await model.run({ pixel_values: xb });
      const t = [];
      for (let i = 0; i < 3; i++) t.push(await timed(() => model.run({ pixel_values: xb })));
      if (median(t) / b < best.perItem) best = { b, perItem: median(t) / b };
    }
    // At that batch, the mean of 20 calls in a row (as the method makes them), just before and just after the method.
    const xb = tensor('float32', [best.b, 3, 224, 224], new Float32Array(best.b * 150528).fill(0.1));
    const sustained = async () => (await timed(async () => { for (let i = 0; i < 20; i++) await model.run({ pixel_values: xb }); })) / (20 * best.b);
    const before = await sustained();
    const options = { window: [3, 16, 16], strides: [3, 8, 8], perturbationsPerEval: best.b };
    out.ms = await timed(() => attribute({ ...common, method: occlusion, options, weights: weightsOf(K) }));
    const after = await sustained();
    out.floorMs = (730 * (before + after)) / 2;
    out.detail = `best batch ${best.b}, perturbationsPerEval ${best.b}; floor per image ${before.toFixed(1)} ms before, ${after.toFixed(1)} ms after`;
  }
  out.maxRssGiB = rss();
  console.log(JSON.stringify(out));
}

if (values.child !== undefined) {
  await child(values.child);
  process.exit(0);
}

if (!existsSync(values.model)) {
  console.error(`missing ${values.model}: run /usr/bin/python3 scripts/dev/export_bench_models.py first`);
  process.exit(2);
}
const cache = mkdtempSync(join(tmpdir(), 'envision-bench-23-'));
const self = fileURLToPath(import.meta.url);
const results = {};
for (const row of values.rows.split(',')) {
  if (!ROWS.includes(row)) throw new Error(`unknown row ${row} (rows: ${ROWS.join(', ')})`);
  if (row === 'demo') {
    const dir = mkdtempSync(join(tmpdir(), 'envision-bench-23-demo-'));
    const t = performance.now();
    const r = spawnSync(process.execPath, ['packages/cli/dist/bin.js', 'run', 'configs/demo.yaml', '--set', `output.dir=${dir}`, '--json'], { encoding: 'utf8' });
    const wallMs = performance.now() - t;
    if (r.status !== 0) {
      results.demo = { error: r.stderr.trim().split('\n').at(-1) };
    } else {
      const { timings } = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      results.demo = { row, wallMs, ...timings };
    }
    rmSync(dir, { recursive: true, force: true });
    continue;
  }
  const run = (extra) => {
    const r = spawnSync(process.execPath, [self, '--child', row, '--model', values.model, '--cache', cache, ...extra], { encoding: 'utf8' });
    const line = r.stdout.trim().split('\n').at(-1);
    return r.status === 0 && line ? JSON.parse(line) : { error: r.stderr.trim().split('\n').slice(-3).join(' ') };
  };
  const build = row === 'forward' || row === 'occlusion' ? undefined : run(['--warm-only']);
  results[row] = { ...run([]), ...(build?.buildRssGiB === undefined ? {} : { buildRssGiB: build.buildRssGiB }) };
}
rmSync(cache, { recursive: true, force: true });

const s = (ms) => (ms / 1000).toFixed(1);
const f = (v, d = 2) => (v === undefined ? '—' : v.toFixed(d));
const ok = (cond) => (cond ? 'met' : 'not met');
const lines = [];
const row = (what, figure, goal, met, ref, note = '') => lines.push(`| ${what} | ${figure} | ${goal} | ${met} | ${ref} | ${note} |`);
const ref = (r) => (r?.forwardMs === undefined ? '—' : `${r.forwardMs.toFixed(0)} ms`);
const err = (r) => (r?.error ? `failed: ${r.error}` : undefined);
console.log(`issue 23 goals, ${values.model}, one image 224², K = ${K}; peak RSS per row in a fresh process`);
console.log('| row | measured | goal | | forward b=1 (same process) | notes |');
console.log('|---|---|---|---|---|---|');
{
  const names = ['ig', 'saliency', 'gradshap'].filter((n) => results[n] && !results[n].error);
  if (names.length > 0) {
    const peak = Math.max(...names.map((n) => results[n].maxRssGiB));
    row('peak RSS, IG-50 × 5 / saliency / GradientShap', `${names.map((n) => `${n} ${f(results[n].maxRssGiB)}`).join(' / ')} GiB`, '≤ 1.5 GiB', ok(peak <= 1.5), ref(results.ig ?? results.saliency), names.map((n) => `${n} ${s(results[n].ms)} s (${results[n].detail})`).join('; ') + `; building the gradient model (once, cached on disk): ${names.map((n) => f(results[n].buildRssGiB)).join(' / ')} GiB`);
  }
}
if (results.ig) {
  const r = results.ig;
  row('IG-50 × 5 prompts, wall', err(r) ?? `${s(r.ms)} s = ${f(r.ms / r.forwardMs, 0)} forwards`, '≤ 40 s', err(r) ? '' : ok(r.ms <= 40000), ref(r), err(r) ? '' : `${r.detail}; build/warm-up ${s(r.warmMs)} s`);
}
for (const [name, label] of [['perdim-saliency', '512 per-dimension maps, saliency (no abs), wall'], ['perdim-gb', '512 per-dimension maps, guided backprop, wall']]) {
  const r = results[name];
  if (r) row(label, err(r) ?? `${s(r.ms)} s = ${f(r.ms / r.forwardMs, 0)} forwards`, '≤ 60 s', err(r) ? '' : ok(r.ms <= 60000), ref(r), err(r) ? '' : `${r.detail}; peak RSS ${f(r.maxRssGiB)} GiB`);
}
if (results.vjp) {
  const r = results.vjp;
  row('one VJP row / one forward, batch 1', err(r) ?? `${f(r.ms / r.forwardMs)} (${r.ms.toFixed(0)} ms)`, '≤ 2.0', err(r) ? '' : ok(r.ms / r.forwardMs <= 2), ref(r), err(r) ? '' : `peak RSS ${f(r.maxRssGiB)} GiB`);
}
if (results.occlusion) {
  const r = results.occlusion;
  row('occlusion 16×16 / stride 8, 5 prompts', err(r) ?? `${s(r.ms)} s = ${f(r.ms / r.floorMs)} × floor (${s(r.floorMs)} s)`, '≤ 1.1 × floor', err(r) ? '' : ok(r.ms <= 1.1 * r.floorMs), ref(r), err(r) ? '' : `${r.detail}; peak RSS ${f(r.maxRssGiB)} GiB`);
}
if (results.demo) {
  const r = results.demo;
  row('`pnpm demo`: rendering share', err(r) ?? `${f((100 * r.renderMs) / r.totalMs, 1)} % (${s(r.renderMs)} s of ${s(r.totalMs)} s)`, '≤ 10 %', err(r) ? '' : ok(r.renderMs <= 0.1 * r.totalMs), '—', err(r) ? '' : `attribution ${s(r.attributionMs)} s, load ${s(r.loadMs)} s, process wall ${s(r.wallMs)} s`);
}
if (results.forward && !results.forward.error) {
  const p = results.forward.perItem;
  row('reference: forward per image at batch 1/4/8/16/32', Object.values(p).map((v) => v.toFixed(0)).join(' / ') + ' ms', '', '', ref(results.forward), `peak RSS ${f(results.forward.maxRssGiB)} GiB`);
}
console.log(lines.join('\n'));
console.log('\n' + JSON.stringify(results));

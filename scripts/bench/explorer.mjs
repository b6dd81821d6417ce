#!/usr/bin/env node
// Benchmark of the explorer (`envision serve`): the time from a request to its response for one new prompt on the demo
// model (the bundled phantom MedCLIP, configs/demo.yaml), measured over HTTP from this process, as the page asks.
// The first request of an image embeds the image and reads its stores; it is timed apart ("first"), then each prompt
// is new (never asked before). Needs `pnpm run build` and the demo run (`pnpm demo`, runs/demo).
// Usage: node scripts/bench/explorer.mjs [--run runs/demo] [--n 30]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({ options: { run: { type: 'string', default: join(root, 'runs/demo') }, n: { type: 'string', default: '30' } } });
if (!existsSync(join(values.run, 'manifest.json'))) {
  console.error(`explorer bench: ${values.run}/manifest.json is missing: run pnpm demo first`);
  process.exit(2);
}
const child = spawn(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'serve', values.run, '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
const url = await new Promise((ok, ko) => {
  let out = '';
  child.once('exit', (code) => ko(new Error(`envision serve exited ${code}`)));
  child.stdout.on('data', (d) => {
    out += d;
    const m = /^(http:\/\/127\.0\.0\.1:\d+\/)\n/m.exec(out);
    if (m) ok(m[1]);
  });
});

const post = async (body) => {
  const t = performance.now();
  const r = await fetch(new URL('/api/maps', url), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const json = await r.json();
  const ms = performance.now() - t;
  if (!r.ok) throw new Error(json.error?.message ?? `HTTP ${r.status}`);
  return { ms, json };
};

const run = await (await fetch(new URL('/api/run', url))).json();
const image = run.images[0].image;
const live = run.images[0].methods.filter((m) => m.live).map((m) => m.method);
const words = ['left', 'right', 'small', 'large', 'basal', 'apical', 'moderate', 'loculated', 'bilateral', 'subtle'];
const findings = ['pleural effusion', 'pneumothorax', 'consolidation', 'nodule', 'atelectasis', 'edema', 'cardiomegaly'];
const prompt = (i) => `${words[i % words.length]} ${words[(i * 7 + 3) % words.length]} ${findings[i % findings.length]} ${i}`;

const first = await post({ image, prompts: ['first question'] });
const times = [];
const server = [];
for (let i = 0; i < Number(values.n); i++) {
  const { ms, json } = await post({ image, prompts: [prompt(i)] });
  times.push(ms);
  server.push(json.milliseconds);
}
const exited = new Promise((ok) => child.once('exit', ok));
child.kill('SIGINT');
await exited;
const sorted = [...times].sort((a, b) => a - b);
const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const mean = (k) => server.reduce((s, x) => s + x[k], 0) / server.length;
console.log(`explorer: ${values.run}, image ${image}, live methods ${live.join(', ')} (${run.run.adapter}, M = ${run.run.embeddingDim})`);
console.log(`first request of the image (embeds it, reads the stores): ${first.ms.toFixed(1)} ms`);
console.log(`one new prompt, request → response over HTTP, ${times.length} prompts: median ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms`);
console.log(`  in the server (means): text encoding ${mean('encode').toFixed(1)} ms, fusion ${mean('fuse').toFixed(1)} ms, rendering ${mean('render').toFixed(1)} ms, total ${mean('total').toFixed(1)} ms`);

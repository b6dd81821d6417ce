#!/usr/bin/env node
// Benchmark of dataset-scale runs (issue 17): items (image × method) per minute on the demo config (configs/demo.yaml,
// 6 phantoms × 4 methods = 24 items, 3 targets each) for one process, `--workers 2`, and two `envision worker`
// processes on a BullMQ queue (a throwaway loopback redis-server started and stopped here), and the per-item costs the
// one-process run measured (from its manifest). Needs the built packages (pnpm run build) and redis-server for the
// queue row (skipped without it). The config is copied to a temp folder with its output there.
// Usage: node scripts/bench/scale.mjs [--images N] [--skip-queue] [--keep]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { images: { type: 'string' }, 'skip-queue': { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } } });
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'packages/cli/dist/bin.js');
const temp = mkdtempSync(join(tmpdir(), 'envision-scale-'));

/** The demo config with absolute paths, its output in the temp folder, optionally its first N images only. */
function config(name) {
  let text = readFileSync(join(root, 'configs/demo.yaml'), 'utf8').replaceAll('../', `${root}/`);
  text = text.replace(/^  dir: .*$/m, `  dir: ${join(temp, name)}`);
  if (values.images !== undefined) {
    let kept = 0;
    text = text.replace(/^  - (\S+phantom-\d\.png).*$/gm, (line) => (kept++ < Number(values.images) ? line : ''));
  }
  const file = join(temp, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

function run(args, env = process.env) {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => (code === 0 ? res({ stdout, stderr }) : rej(new Error(`envision ${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

const freePort = () =>
  new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

/** One timed run: wall seconds (process start to exit: model loading, compute, collect), items, manifest. */
async function timed(label, name, extra) {
  const file = config(name);
  const t0 = performance.now();
  await run(['run', file, '--json', ...extra]);
  const seconds = (performance.now() - t0) / 1000;
  const manifest = JSON.parse(readFileSync(join(temp, name, 'manifest.json'), 'utf8'));
  const items = new Set(manifest.items.map((i) => `${i.image}/${i.method}`)).size;
  console.log(`${label.padEnd(26)} ${String(items).padStart(5)} items  ${seconds.toFixed(1).padStart(7)} s  ${((items / seconds) * 60).toFixed(1).padStart(6)} items/min`);
  return manifest;
}

console.log(`envision scale benchmark: configs/demo.yaml${values.images ? ` (first ${values.images} images)` : ''}, ${availableParallelism()} cores, node ${process.version}`);
console.log(`${'mode'.padEnd(26)} ${'items'.padStart(11)}  ${'wall'.padStart(9)}  ${'rate'.padStart(16)}`);
const one = await timed('1 process', 'one', []);
await timed('--workers 2', 'workers', ['--workers', '2']);
if (!values['skip-queue'] && spawnSync('redis-server', ['--version']).status === 0) {
  const port = await freePort();
  const dir = join(temp, 'redis');
  mkdirSync(dir);
  const r = spawnSync('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--pidfile', join(dir, 'pid'), '--logfile', join(dir, 'log'), '--dir', dir]);
  if (r.status !== 0) throw new Error(`redis-server: ${r.stderr}`);
  for (let k = 0; k < 100 && spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() !== 'PONG'; k++) await new Promise((w) => setTimeout(w, 50));
  const url = `redis://127.0.0.1:${port}`;
  // Two single-item workers with cores/2 onnxruntime threads each, as --workers 2 (and envision worker --concurrency 2) split them.
  const { threadsPerWorker } = await import(join(root, 'packages/cli/dist/run-workers.js'));
  const workers = [1, 2].map(() => spawn(process.execPath, [join(root, 'packages/cli/dist/queue-worker.js'), url, String(threadsPerWorker(2)), '1'], { cwd: root, stdio: ['ignore', 'ignore', 'ignore'] }));
  try {
    await timed('2 queue workers (BullMQ)', 'queue', ['--queue', url]);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((res) => (w.exitCode !== null ? res() : w.once('exit', res)))));
    spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
  }
} else console.log('2 queue workers (BullMQ)   skipped (no redis-server, or --skip-queue)');

// Per-item costs of the one-process run: attribution (all targets, with the per-dimension store) and rendering.
console.log('\nper-item cost, 1 process (mean over images; attribution of all targets + per-dimension store; overlays):');
const cost = new Map();
for (const i of one.items) {
  const c = cost.get(i.method) ?? { ms: 0, n: new Set() };
  c.ms += i.milliseconds;
  c.n.add(i.image);
  cost.set(i.method, c);
}
for (const p of one.perDimension) cost.get(p.method).ms += p.milliseconds;
for (const [method, c] of cost) console.log(`  ${method.padEnd(18)} ${(c.ms / c.n.size / 1000).toFixed(2).padStart(7)} s`);
const items = new Set(one.items.map((i) => `${i.image}/${i.method}`)).size;
console.log(`  ${'rendering (mean)'.padEnd(18)} ${(one.timings.renderMs / items / 1000).toFixed(2).padStart(7)} s  (overlays, and figures at collect)`);
console.log(`  ${'model load'.padEnd(18)} ${(one.timings.loadMs / 1000).toFixed(2).padStart(7)} s  (once per process)`);
if (!values.keep) rmSync(temp, { recursive: true, force: true });
else console.log(`\noutputs kept in ${temp}`);

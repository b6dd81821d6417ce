#!/usr/bin/env node
// Benchmark of fusing stored per-dimension maps (`fuseStored`, the jacobian strategy's last step): onnxruntime's MatMul
// against the plain triple loop it replaced, for M = 512 maps of 224² and R = 50 prompts, measured in one run.
// Needs `pnpm run build`. Usage: node scripts/bench/fuse.mjs [--rows 50] [--dims 512]
import { parseArgs } from 'node:util';
import { fuseStored, tensor } from '../../packages/core/dist/index.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '50' }, dims: { type: 'string', default: '512' } } });
const [M, R, H, W] = [Number(values.dims), Number(values.rows), 224, 224];
const n = H * W;
const store = Float32Array.from({ length: M * n }, (_, i) => Math.sin(i));
const weights = Float32Array.from({ length: R * M }, (_, i) => Math.cos(i));

function plainLoop() {
  const out = new Float32Array(R * n);
  for (let k = 0; k < R; k++) {
    const row = out.subarray(k * n, (k + 1) * n);
    for (let i = 0; i < M; i++) {
      const w = weights[k * M + i];
      const map = store.subarray(i * n, (i + 1) * n);
      for (let j = 0; j < n; j++) row[j] += w * map[j];
    }
  }
  return out;
}

let t = performance.now();
const reference = plainLoop();
const loopMs = performance.now() - t;
const args = () => [tensor('float32', [M, H, W], store), tensor('float32', [R, M], weights)];
await fuseStored(...args()); // creates the session
const ms = [];
let fused;
for (let i = 0; i < 3; i++) {
  t = performance.now();
  fused = await fuseStored(...args());
  ms.push(performance.now() - t);
}
let maxDiff = 0;
for (let i = 0; i < reference.length; i++) maxDiff = Math.max(maxDiff, Math.abs(reference[i] - fused.data[i]));
console.log(`M = ${M}, ${H}×${W}, R = ${R}: plain loop ${loopMs.toFixed(0)} ms; fuseStored (onnxruntime MatMul) ${ms.map((v) => v.toFixed(0)).join(', ')} ms; max |Δ| ${maxDiff.toExponential(2)}`);

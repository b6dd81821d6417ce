#!/usr/bin/env node
// Writes the masks @envision/method-rise draws, for make_rise_fixtures.py (dev-time only; it runs this script).
//
//   node scripts/dev/export_rise_masks.mjs CASES.json OUTDIR      (after `pnpm run build`)
//
// CASES.json: [{ "name", "masks", "cells", "probability", "height", "width", "seed" }, …]. For each case it writes
// OUTDIR/<name>.npy, the float32 masks [N, H, W] exactly as the method uses them (drawRiseMasks + riseMask), and
// OUTDIR/<name>.json, the draws behind them: the grids (one '0'/'1' string of s·s cells per mask) and the shifts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { drawRiseMasks, riseMask } = await import(join(root, 'packages/method-rise/dist/index.js'));
const { encodeNpy, tensor } = await import(join(root, 'packages/core/dist/index.js'));

const [casesPath, outDir] = process.argv.slice(2);
if (casesPath === undefined || outDir === undefined) {
  process.stderr.write('usage: node scripts/dev/export_rise_masks.mjs CASES.json OUTDIR\n');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
for (const c of JSON.parse(readFileSync(casesPath, 'utf8'))) {
  const d = drawRiseMasks(c.masks, c.cells, c.probability, c.height, c.width, c.seed);
  const plane = c.height * c.width;
  const all = new Float32Array(c.masks * plane);
  for (let n = 0; n < c.masks; n++) riseMask(d, n, all.subarray(n * plane, (n + 1) * plane));
  writeFileSync(join(outDir, `${c.name}.npy`), encodeNpy(tensor('float32', [c.masks, c.height, c.width], all)));
  const cells = c.cells * c.cells;
  const grids = Array.from({ length: c.masks }, (_, n) => [...d.grids.subarray(n * cells, (n + 1) * cells)].join(''));
  const shifts = Array.from({ length: c.masks }, (_, n) => [d.shifts[2 * n], d.shifts[2 * n + 1]]);
  writeFileSync(join(outDir, `${c.name}.json`), JSON.stringify({ ...c, cellSize: [d.cellHeight, d.cellWidth], grids, shifts }) + '\n');
}

import { it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KINDS, runKind } from './kinds.js';
import { known, knownStderr } from './known.js';
const only = (process.env.FUZZ_KINDS ?? '').split(',').filter(Boolean);
const n = Number(process.env.FUZZ_N ?? 40);
const off = Number(process.env.FUZZ_OFF ?? 0);
it('explore', async () => {
  const base = mkdtempSync(join(tmpdir(), 'fuzz-explore-'));
  for (const k0 of KINDS) {
    if (only.length && !only.includes(k0.name)) continue;
    const k = { ...k0, seed: k0.seed + off, known: known[k0.name], knownStderr };
    const t0 = performance.now();
    const { results, tolerated, skipped } = await runKind(k, n, base);
    const ms = performance.now() - t0;
    const summary = { kind: k.name, ms: Math.round(ms), n: results.length, ok0: results.filter(r => r.verdict.outcome === 0).length, ok2: results.filter(r => r.verdict.outcome === 2).length,
      skipped: skipped.length, tolerated: tolerated.map(r => ({ i: r.index, desc: r.desc, stderr: r.stderr.slice(0, 300) })),
      fails: results.filter(r => r.verdict.outcome === 'fail').map(r => ({ i: r.index, desc: r.desc, code: r.code, problem: r.verdict.problem?.slice(0, 300), stderr: r.stderr.slice(0, 600) })) };
    writeFileSync(`/tmp/fuzz-${k.name}.json`, JSON.stringify({ summary, all: results.map(r => ({ i: r.index, desc: r.desc, code: r.code, v: r.verdict.outcome, e: r.stderr.split('\n')[0]?.slice(0, 200) })) }, null, 1));
  }
}, 900_000);

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEnvisionError } from '@envision/onnx-grad';
import type { RunManifest } from '../manifest.js';
import { REPORT_FILE, writeReport } from './write-report.js';

const manifest: RunManifest = {
  format: 'envision-run/1',
  createdAt: '2026-11-29T16:22:14.290Z',
  configFile: 'exp.yaml',
  config: {},
  seed: 0,
  versions: {},
  model: { adapter: 'medclip', embeddingDim: 4, logitScale: 1, hashes: {} },
  targets: [],
  items: [
    {
      image: 'a.png',
      method: 'ig',
      target: 'p',
      kind: 'embedding',
      strategy: 'direct',
      labels: ['<script>alert(1)</script>'],
      scores: [0.5],
      npy: 'a/ig/p.npy',
      overlays: ['a/ig/p/00-script-alert-1-script.all.png'],
      milliseconds: 3,
    },
  ],
  perDimension: [],
  figures: [],
  timings: { totalMs: 1, loadMs: 1, attributionMs: 1, renderMs: 1 },
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envision-report-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeReport', () => {
  it('writes report.html into the run folder and returns its path', async () => {
    const run = join(dir, 'run');
    const path = await writeReport(run, manifest, { figures: [{ title: 'f', png: join(run, 'fig.png') }] });
    expect(path).toBe(join(run, REPORT_FILE));
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<img src="fig.png"');
    expect(readdirSync(run)).toEqual([REPORT_FILE]);
  });

  it('replaces an earlier report whole', async () => {
    const run = join(dir, 'again');
    await writeReport(run, manifest, { metrics: { ig: { auc: 0.75 } } });
    const path = await writeReport(run, manifest);
    expect(readFileSync(path, 'utf8')).not.toContain('auc');
    expect(readdirSync(run)).toEqual([REPORT_FILE]);
  });

  it('fails with E_FILE naming the path when the folder cannot be written', async () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'a file');
    const error = await writeReport(join(blocker, 'run'), manifest).catch((e: unknown) => e);
    expect(isEnvisionError(error) && error.code).toBe('E_FILE');
    expect(String((error as Error).message)).toContain(join(blocker, 'run', REPORT_FILE));
  });
});

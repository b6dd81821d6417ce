import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, truncateSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, envision, root, useTempDir } from './cli.js';
import { expectSameRun, tinyRunFiles } from './run-folder.test-support.js';

// Resume, interruption and worker processes of `envision run` (issue 17, items 1–3), on the tiny dual encoder:
// 2 images × 2 methods = 4 items (image × method), 2 targets each.
const temp = useTempDir('envision-resume-');

const { experiment, referenceRun } = tinyRunFiles(temp);

/** Items (image × method) a run computed, from its --json item events. */
const computedItems = (stdout: string): string[] => [
  ...new Set(
    stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; image?: string; method?: string })
      .filter((e) => e.event === 'item')
      .map((e) => `${e.image!.replace(/^.*\//, '')}/${e.method}`),
  ),
];

/** Starts `envision run FILE --json`, and sends `signal` once its first item (image × method) is done. */
async function runAndSignal(file: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, 'run', file, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    // The second target of the first item: the item is done (and recorded) when its last target is reported.
    if (!sent && stdout.split('\n').filter((l) => l.includes('"event":"item"')).length >= 2) {
      sent = true;
      child.kill(signal);
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('exit', (c, s) => r([c, s])));
  return { code, signal: sig, stdout, stderr };
}


describe('envision run --resume', () => {
  it('a run stopped by SIGINT after its first item exits 130 at an item boundary; --resume redoes only the rest and gives the same files and manifest', async () => {
    const out = join(temp(), 'sigint');
    const file = experiment('sigint', out);
    const stopped = await runAndSignal(file, 'SIGINT');
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/^envision run: interrupted after \d of 8 map sets; envision run .*sigint\.yaml --resume completes the run$/m);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    const done = computedItems(stopped.stdout);
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(done.length).toBeLessThan(4);
    const resumed = envision(['run', file, '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const redone = computedItems(resumed.stdout);
    expect(redone.length).toBe(4 - done.length);
    expect(redone.filter((i) => done.includes(i))).toEqual([]);
    expectSameRun(referenceRun(), out);
  });

  it('a run killed by SIGKILL mid-run, then --resume, gives the same files; a damaged file of a recorded item is not trusted', async () => {
    const out = join(temp(), 'sigkill');
    const file = experiment('sigkill', out);
    const killed = await runAndSignal(file, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const done = computedItems(killed.stdout);
    expect(done.length).toBeGreaterThanOrEqual(1);
    // A file of a recorded item cut short (as a writer that did not write atomically would leave it): that item is redone.
    truncateSync(join(out, 'cxr-a', 'occlusion', 'dims.npy'), 64);
    const resumed = envision(['run', file, '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(computedItems(resumed.stdout)).toContain('cxr-a.png/occlusion');
    expect(computedItems(resumed.stdout).length).toBe(4 - done.length + 1);
    expectSameRun(referenceRun(), out);
  });

  it('a changed image or method section invalidates exactly the affected items', () => {
    const out = join(temp(), 'changed');
    const imageB = join(temp(), 'b.png');
    copyFileSync(join(root, 'fixtures/images/cxr-b.png'), imageB);
    const file = experiment('changed', out, { images: ['cxr-a', imageB] });
    expect(envision(['run', file]).code).toBe(0);
    const unchanged = envision(['run', file, '--resume', '--json']);
    expect(unchanged.code, unchanged.stderr).toBe(0);
    expect(computedItems(unchanged.stdout)).toEqual([]);
    // Another image under the same name: only its two items are redone.
    copyFileSync(join(root, 'fixtures/images/cxr-c.png'), imageB);
    const image = envision(['run', file, '--resume', '--json']);
    expect(image.code, image.stderr).toBe(0);
    expect(computedItems(image.stdout).sort()).toEqual(['b.png/occlusion', 'b.png/saliency']);
    // Another occlusion window: only the occlusion items are redone.
    experiment('changed', out, { images: ['cxr-a', imageB], window: 112 });
    const method = envision(['run', file, '--resume', '--json']);
    expect(method.code, method.stderr).toBe(0);
    expect(computedItems(method.stdout).sort()).toEqual(['b.png/occlusion', 'cxr-a.png/occlusion']);
    // And the result is what a run from scratch gives.
    const scratch = join(temp(), 'changed-scratch');
    expect(envision(['run', experiment('changed-scratch', scratch, { images: ['cxr-a', imageB], window: 112 })]).code).toBe(0);
    expectSameRun(scratch, out);
  });

  it('a plain run into a folder holding an unfinished run is refused in one line (exit 2); --fresh starts over', async () => {
    const out = join(temp(), 'unfinished');
    const file = experiment('unfinished', out);
    expect((await runAndSignal(file, 'SIGKILL')).signal).toBe('SIGKILL');
    const plain = envision(['run', file]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/^envision run: .*unfinished holds an unfinished run \(\d of 4 items recorded, started .*\); continue it with --resume, or start over with --fresh\n$/);
    const fresh = envision(['run', file, '--fresh', '--json']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(computedItems(fresh.stdout)).toHaveLength(4);
    expectSameRun(referenceRun(), out);
    expect(envision(['run', file, '--resume', '--fresh']).code).toBe(2);
  });
});

describe('envision run --workers', () => {
  it('--workers 2 writes the same files and manifest as one process, byte for byte', () => {
    const out = join(temp(), 'workers');
    const r = envision(['run', experiment('workers', out), '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    expectSameRun(referenceRun(), out);
  });

  it('an image that only a worker fails to decode fails its items alone: one line each, exit 2, the rest computed and collected', () => {
    const bad = join(temp(), 'not-an-image-w.png');
    writeFileSync(bad, 'hello, I am text');
    const out = join(temp(), 'workers-bad');
    const r = envision(['run', experiment('workers-bad', out, { images: ['cxr-a', bad] }), '--workers', '2', '--keep-going']);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.includes('failed:')).sort()).toEqual([
      expect.stringMatching(/^envision run: item not-an-image-w\/occlusion failed: cannot read image .*not-an-image-w\.png: not an image/),
      expect.stringMatching(/^envision run: item not-an-image-w\/saliency failed: cannot read image .*not-an-image-w\.png: not an image/),
    ]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.items.map((i: { method: string; target: string }) => `${i.method}/${i.target}`)).toEqual(['occlusion/dims', 'occlusion/prompts', 'saliency/dims', 'saliency/prompts']);
    expect(manifest.failed.map((f: { item: string; code: string }) => `${f.item} ${f.code}`)).toEqual(['not-an-image-w/occlusion E_IMAGE', 'not-an-image-w/saliency E_IMAGE']);
    expect(existsSync(join(out, 'not-an-image-w'))).toBe(false);
  });
});

describe('envision run --keep-going: a failing item', () => {
  it('without --keep-going, the first failing item stops the run: one line, exit 2, nothing left (the bad-input contract)', () => {
    const bad = join(temp(), 'cxr-y.png');
    writeFileSync(bad, 'hello, I am text');
    const out = join(temp(), 'failing-stop');
    const r = envision(['run', experiment('failing-stop', out, { images: ['cxr-a', bad] })]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cxr-y\.png/);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    expect(existsSync(join(out, 'cxr-a'))).toBe(false);
  });

  it('fails alone: one line naming it, the rest computed and collected, recorded in manifest and journal, exit 2; --resume after the fix computes only it', () => {
    const bad = join(temp(), 'cxr-x.png');
    writeFileSync(bad, 'hello, I am text'); // hashed when planned, fails when decoded
    const out = join(temp(), 'failing');
    const file = experiment('failing', out, { images: ['cxr-a', bad] });
    const r = envision(['run', file, '--keep-going']);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^envision run: item cxr-x\/occlusion failed: cannot read image .*cxr-x\.png: not an image/);
    expect(lines[1]).toMatch(/^envision run: item cxr-x\/saliency failed: /);
    expect(lines[2]).toMatch(/^envision run: 4 map sets, 16 overlays in .*; 2 failed, envision run .* --resume retries them$/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.failed).toEqual([
      { item: 'cxr-x/occlusion', message: expect.stringMatching(/^cannot read image /), code: 'E_IMAGE' },
      { item: 'cxr-x/saliency', message: expect.stringMatching(/^cannot read image /), code: 'E_IMAGE' },
    ]);
    expect(manifest.figures.map((f: { png: string }) => f.png)).toEqual(['cxr-a/figure-dims.png', 'cxr-a/figure-prompts.png']);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(existsSync(join(out, 'cxr-x'))).toBe(false);
    const journal = join(out, '.envision-journal');
    expect(JSON.parse(readFileSync(join(journal, 'run.json'), 'utf8')).state).toBe('failed');
    expect(JSON.parse(readFileSync(join(journal, 'failed/cxr-x/saliency.json'), 'utf8'))).toMatchObject({ item: 'cxr-x/saliency', code: 'E_IMAGE' });
    // A plain run refuses the folder; --resume, once the image is readable, computes the failed items only.
    const plain = envision(['run', file]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/holds an unfinished run \(2 of 4 items recorded, 2 failed, .*--resume/);
    copyFileSync(join(root, 'fixtures/images/cxr-b.png'), bad);
    const again = envision(['run', file, '--resume', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(computedItems(again.stdout).sort()).toEqual(['cxr-x.png/occlusion', 'cxr-x.png/saliency']);
    const after = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(after.failed).toBeUndefined();
    expect(after.items).toHaveLength(8);
    expect(existsSync(join(journal, 'failed'))).toBe(false);
    expect(JSON.parse(readFileSync(join(journal, 'run.json'), 'utf8')).state).toBe('finished');
  });

  it('bad input that concerns the whole run (a model that cannot load) still stops it at once: one line, exit 2, nothing left', () => {
    const out = join(temp(), 'bad-model');
    const file = experiment('bad-model', out);
    writeFileSync(file, readFileSync(file, 'utf8').replace('fixtures/tiny-dual', 'fixtures/no-such-bundle'));
    const r = envision(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
  });
});

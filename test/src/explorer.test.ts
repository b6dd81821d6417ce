// `envision serve` (the explorer) over a tiny run on the tiny dual encoder: the maps of a new prompt through the API
// equal the maps `envision run` writes for that text; a method without a store says why and computes one on demand;
// the server binds 127.0.0.1, serves only the manifest's files, refuses traversal, oversized and malformed requests
// with 4xx JSON that change nothing, and stops cleanly on SIGINT.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, type RunManifest } from '@envision/core';
import { envision, root } from './cli.js';
import { floats, post, raw, serve, type Served } from './explorer.test-support.js';

const P1 = 'a small left pleural effusion';
const P2 = 'no finding';
/** What the file outside the run folder holds: no answer may contain it. */
const CONTENT = 'the content of a file outside the run folder, 7f3a';

let dir: string;
let runDir: string;
let refDir: string;
let manifest: RunManifest;
let ref: RunManifest;
let image: string;
let served: Served;

const experiment = (out: string, methods: string, targets: string, extra = '') => `model:
  adapter: medclip
  bundle: ${join(root, 'fixtures/tiny-dual')}
images:
  - ${join(root, 'fixtures/images/cxr-a.png')}
methods:
${methods}
targets:
${targets}
output:
  dir: ${out}
  signs: [all, positive]
${extra}`;

const METHODS = `  - id: guided-backprop
  - id: occlusion
    options: { window: [3, 56, 56], strides: [3, 56, 56], perturbationsPerEval: 16 }
  - id: saliency`;

function run(name: string, yaml: string): RunManifest {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  const r = envision(['run', file, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(readFileSync(join(dir, name, 'manifest.json'), 'utf8')) as RunManifest;
}

/** Every file of a folder with its size, time and hash: what "changes nothing" compares. */
function snapshot(folder: string): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => {
      const p = join(d, e.name);
      if (e.isDirectory()) return walk(p);
      const s = statSync(p);
      return [`${p} ${s.size} ${s.mtimeMs} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`];
    });
  return walk(folder).sort();
}

/** Equal to float32 rounding: every value within 2⁻²³ of the map's largest magnitude (and the map not all zero). */
function floatsClose(got: Float32Array, expected: Float32Array): boolean {
  if (got.length !== expected.length) return false;
  let peak = 0;
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    peak = Math.max(peak, Math.abs(expected[i]!));
    worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
  }
  if (!(peak > 0 && worst <= peak * 2 ** -23)) console.log(`floatsClose: worst ${worst}, peak ${peak}, ${got.slice(0, 4)} vs ${expected.slice(0, 4)}`);
  return peak > 0 && worst <= peak * 2 ** -23;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'envision-explorer-'));
  runDir = join(dir, 'served');
  refDir = join(dir, 'reference');
  manifest = run(
    'served',
    experiment(
      runDir,
      METHODS,
      `  - name: baseline
    target: classifier
    texts: [mild atelectasis, cardiomegaly]
  - name: prompts
    texts: [mild atelectasis]
    fusion: { id: dot }
    explain: text`,
    ),
  );
  // The reference: envision run with the new texts, every method fused from its per-dimension maps.
  ref = run(
    'reference',
    experiment(refDir, METHODS, [P1, P2].map((p, k) => `  - name: p${k}\n    texts: [${p}]\n    fusion: { id: dot }\n    explain: text`).join('\n'), 'strategy: jacobian\n'),
  );
  image = manifest.items[0]!.image;
  expect(manifest.perDimension.map((p) => p.method)).toEqual(['guided-backprop', 'saliency']); // saliency takes |grad| by default: not linear
  served = await serve(runDir);
});

afterAll(async () => {
  if (served && served.child.exitCode === null) await served.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const refItem = (method: string, k: number) => ref.items.find((i) => i.method === method && i.target === `p${k}`)!;
/** The reference maps of a method: each prompt's row from the run of that text alone. */
const refMaps = async (method: string) => Promise.all([0, 1].map(async (k) => (await readNpy(join(refDir, refItem(method, k).npy))).data as Float32Array));

describe('envision serve: the maps of a new prompt', () => {
  it('binds 127.0.0.1 only', async () => {
    expect(served.url).toBe(`http://127.0.0.1:${served.port}/`);
    expect((await raw(served.port, 'GET', '/api/run')).status).toBe(200);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal);
    if (external === undefined) return; // no other address on this machine to try
    const reached = await new Promise<boolean>((done) => {
      const socket = connect({ host: external.address, port: served.port });
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    expect(reached, `${external.address}:${served.port}`).toBe(false);
  });

  it('equal what envision run writes for those texts: same numbers, same scores, same overlay PNG', async () => {
    const r = await post(served.port, '/api/maps', { image, prompts: [P1, P2], sign: 'all', values: true });
    expect(r.status, r.body.toString()).toBe(200);
    const body = r.json() as { scores: number[]; shape: number[]; fusion: string; target: string; methods: { method: string; maps: { prompt: string; png: string; values: string }[] }[]; milliseconds: { total: number } };
    expect(body.target).toBe('prompts');
    expect(body.fusion).toBe('dot');
    expect(body.methods.map((m) => m.method)).toEqual(['guided-backprop', 'saliency']); // the methods with a store
    expect(body.scores).toEqual([refItem('guided-backprop', 0).scores[0], refItem('guided-backprop', 1).scores[0]]);
    const expected = await refMaps('guided-backprop');
    expect(body.shape).toEqual([224, 224]);
    for (const [j, m] of body.methods.entries()) {
      const reference = j === 0 ? expected : await refMaps('saliency');
      m.maps.forEach((map, k) => {
        expect(map.prompt).toBe([P1, P2][k]);
        expect(floatsClose(floats(map.values!), reference[k]!)).toBe(true);
        // The overlay is rendered as the run renders its own: the same bytes.
        const overlay = refItem(m.method, k).overlays[0]!;
        expect(overlay).toMatch(/\.all\.png$/);
        expect(Buffer.from(map.png.replace(/^data:image\/png;base64,/, ''), 'base64').equals(readFileSync(join(refDir, overlay)))).toBe(true);
      });
    }
    // A prompt's map does not depend on the prompts beside it.
    const alone = (await post(served.port, '/api/maps', { image, prompts: [P2], values: true })).json() as typeof body;
    expect(alone.methods[0]!.maps[0]!.values).toBe(body.methods[0]!.maps[1]!.values);
  });

  it('a method without a store says why, and computes its store on demand with progress; its maps then equal envision run --strategy jacobian', async () => {
    const overview = (await raw(served.port, 'GET', '/api/run')).json() as { images: { methods: { method: string; live: boolean; why?: string }[] }[] };
    const occlusion = overview.images[0]!.methods.find((m) => m.method === 'occlusion')!;
    expect(occlusion.live).toBe(false);
    expect(occlusion.why).toMatch(/direct strategy.*no per-dimension maps/);
    const refused = await post(served.port, '/api/maps', { image, prompts: [P1], methods: ['occlusion'] });
    expect(refused.status).toBe(409);
    const started = await post(served.port, '/api/stores', { image, method: 'occlusion' });
    expect(started.status).toBe(202);
    const job = started.json() as { id: string; state: string };
    let state = job.state;
    let progress = { done: 0, total: 0 };
    for (let i = 0; i < 600 && state === 'running'; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      const j = (await raw(served.port, 'GET', `/api/jobs/${job.id}`)).json() as { state: string; done: number; total: number };
      state = j.state;
      progress = j;
    }
    expect(state).toBe('done');
    expect(progress.done).toBe(progress.total);
    expect(progress.total).toBeGreaterThan(0);
    const r = await post(served.port, '/api/maps', { image, prompts: [P1, P2], methods: ['occlusion'], values: true });
    expect(r.status, r.body.toString()).toBe(200);
    const maps = (r.json() as { methods: { maps: { values: string }[] }[] }).methods[0]!.maps;
    const expected = await refMaps('occlusion');
    expect(refItem('occlusion', 0).strategy).toBe('jacobian');
    maps.forEach((m, k) => expect(floatsClose(floats(m.values), expected[k]!)).toBe(true));
    const after = (await raw(served.port, 'GET', '/api/run')).json() as typeof overview;
    expect(after.images[0]!.methods.find((m) => m.method === 'occlusion')!.live).toBe(true);
  });

  it('gives the token attributions of a new prompt as the run computes them (explain: text)', async () => {
    const r = await post(served.port, '/api/words', { image, prompts: [P1, P2] });
    expect(r.status, r.body.toString()).toBe(200);
    const words = (r.json() as { prompts: { text: string; words: { word: string; ig: number }[] }[] }).prompts;
    const file = { prompts: [0, 1].map((k) => (JSON.parse(readFileSync(join(refDir, refItem('saliency', k).tokens!), 'utf8')) as { prompts: { text: string; words: { word: string; ig: number }[] }[] }).prompts[0]!) };
    expect(words.map((p) => p.text)).toEqual([P1, P2]);
    expect(words.map((p) => p.words.map((w) => w.word))).toEqual(file.prompts.map((p) => p.words.map((w) => w.word)));
    words.forEach((p, k) => p.words.forEach((w, j) => expect(w.ig).toBeCloseTo(file.prompts[k]!.words[j]!.ig, 5)));
  });
});

describe('envision serve: hygiene', () => {
  const expectRefused = async (r: Promise<import('./explorer.test-support.js').RawResponse>, status: number, message: RegExp) => {
    const res = await r;
    expect(res.status, res.body.toString()).toBe(status);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    const body = res.json() as { error: { status: number; message: string } };
    expect(body.error.status).toBe(status);
    expect(body.error.message).toMatch(message);
  };

  it('serves the files the manifest lists, and nothing else: no .., no %2e%2e, no absolute path, no link out of the folder', async () => {
    const overlay = manifest.items[0]!.overlays[0]!;
    const ok = await raw(served.port, 'GET', `/files/${overlay.split('/').map(encodeURIComponent).join('/')}`);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('image/png');
    expect(ok.body.equals(readFileSync(join(runDir, overlay)))).toBe(true);

    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, CONTENT);
    // A listed overlay replaced by a link to a file outside the run folder.
    const linked = manifest.items[1]!.overlays[0]!;
    unlinkSync(join(runDir, linked));
    symlinkSync(secret, join(runDir, linked));
    const before = snapshot(dir);
    const state = (await raw(served.port, 'GET', '/api/run')).body.toString();

    for (const path of [
      '/files/../secret.txt',
      '/files/../../secret.txt',
      '/files/%2e%2e/secret.txt',
      '/files/%2E%2E%2Fsecret.txt',
      '/files/..%2f..%2fsecret.txt',
      '/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      `/files/${secret}`,
      `/files/${encodeURIComponent(secret)}`,
      '/files//etc/passwd',
      '/files/manifest.json',
      '/files/report.html',
      '/files/%ZZ',
      '/manifest.json',
      '/../secret.txt',
    ]) {
      const res = await raw(served.port, 'GET', path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.body.toString(), path).not.toContain(CONTENT);
      expect((res.json() as { error: { message: string } }).error.message.length, path).toBeGreaterThan(0);
    }
    await expectRefused(raw(served.port, 'GET', `/files/${linked.split('/').map(encodeURIComponent).join('/')}`), 403, /leads out of the run folder/);
    expect(snapshot(dir)).toEqual(before);
    expect((await raw(served.port, 'GET', '/api/run')).body.toString()).toBe(state);
  });

  it('answers oversized and malformed requests with 4xx JSON and a message, and changes nothing', async () => {
    const before = snapshot(dir);
    const state = (await raw(served.port, 'GET', '/api/run')).body.toString();
    await expectRefused(post(served.port, '/api/maps', { image, prompts: ['x'.repeat(301)] }), 413, /at most 300/);
    await expectRefused(post(served.port, '/api/maps', { image, prompts: Array.from({ length: 9 }, (_, i) => `prompt ${i}`) }), 413, /at most 8 prompts/);
    await expectRefused(post(served.port, '/api/maps', JSON.stringify({ image, prompts: ['a'], pad: 'x'.repeat(20_000) })), 413, /at most 16384|larger than 16384/);
    await expectRefused(post(served.port, '/api/maps', '{"image": '), 400, /not JSON/);
    await expectRefused(raw(served.port, 'POST', '/api/maps', JSON.stringify({ image, prompts: ['a'] }), { 'Content-Type': 'text/plain' }), 415, /application\/json/);
    await expectRefused(post(served.port, '/api/maps', { image, prompts: [] }), 400, /non-empty array/);
    await expectRefused(post(served.port, '/api/maps', { image, prompts: ['  '] }), 400, /empty/);
    await expectRefused(post(served.port, '/api/maps', { image, prompts: [42] }), 400, /must be a string/);
    await expectRefused(post(served.port, '/api/maps', { image, prompts: ['a', ' a'] }), 400, /given twice/);
    await expectRefused(post(served.port, '/api/maps', [1, 2]), 400, /JSON object/);
    await expectRefused(post(served.port, '/api/maps', { image, prompts: ['a'], methods: ['nonesuch'] }), 400, /no method "nonesuch"/);
    await expectRefused(post(served.port, '/api/maps', { image, prompts: ['a'], target: 'nonesuch' }), 400, /no embedding target/);
    await expectRefused(post(served.port, '/api/maps', { image, prompts: ['a'], sign: 'sideways' }), 400, /sign must be one of/);
    await expectRefused(post(served.port, '/api/maps', { image, prompts: ['a'], outlierPerc: 101 }), 400, /outlierPerc/);
    await expectRefused(post(served.port, '/api/maps', { image: 'nonesuch.png', prompts: ['a'] }), 404, /no image "nonesuch.png"/);
    await expectRefused(post(served.port, '/api/stores', { image, method: 'nonesuch' }), 400, /no method/);
    await expectRefused(post(served.port, '/api/stores', { image: '../../etc/passwd', method: 'saliency' }), 404, /no image/);
    await expectRefused(raw(served.port, 'GET', '/api/maps'), 405, /use POST/);
    await expectRefused(raw(served.port, 'DELETE', '/api/run'), 405, /use GET/);
    await expectRefused(raw(served.port, 'GET', '/api/jobs/999'), 404, /no job/);
    await expectRefused(raw(served.port, 'GET', '/nonesuch'), 404, /no such page/);
    await expectRefused(raw(served.port, 'GET', '/api/run', undefined, { Host: 'attacker.example:80' }), 403, /answers only requests to 127\.0\.0\.1/);
    expect(snapshot(dir)).toEqual(before);
    expect((await raw(served.port, 'GET', '/api/run')).body.toString()).toBe(state);
    // …and the server still answers.
    expect((await post(served.port, '/api/maps', { image, prompts: [P1] })).status).toBe(200);
  });

  it('sends its page with a content security policy and no inline script', async () => {
    const page = await raw(served.port, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(page.body.toString()).toMatch(/<script src="\/explorer\.js" defer><\/script>/);
    expect(page.body.toString()).not.toMatch(/<script>|<style>| on[a-z]+=/);
  });

  it('refuses bad command lines with exit 2 and one line: no run folder, no manifest, a bad port, a port in use', () => {
    for (const [args, message] of [
      [['serve'], /^envision serve: give exactly one run folder, got 0/],
      [['serve', join(dir, 'nonesuch')], /^envision serve: .*manifest\.json is missing: give a folder written by envision run\n$/],
      [['serve', runDir, '--port', 'http'], /^envision serve: --port must be an integer from 0 to 65535, got http\n$/],
      [['serve', runDir, '--port', String(served.port)], new RegExp(`^envision serve: port ${served.port} is in use: give another with --port\n$`)],
    ] as const) {
      const r = envision(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect(envision(['serve', '--help']).stdout).toMatch(/^Usage: envision serve RUN_DIR \[--port P\]/);
  });

  it('stops cleanly on SIGINT', async () => {
    const code = await served.stop();
    expect(code).toBe(0);
    expect(served.stderr()).toMatch(/envision serve: stopped\n$/);
    await expect(raw(served.port, 'GET', '/api/run')).rejects.toThrow(/ECONNREFUSED/);
  });
});

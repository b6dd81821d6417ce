// The static HTML report in a real browser: a tiny run (tiny dual encoder, one image, a big occlusion window) with a
// prompt that is a script, its report opened from disk in headless Chromium. Every image must load, the script must
// not run, and the prompt must show as text.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import type { RunManifest } from '@envision/core';
import { writeReport } from '@envision/core';
import { envision, root } from './cli.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const EVIL = '<script>window.__pwned = 1</script>';
/** Where the test leaves a full-page screenshot of the report, to look at. */
const SCREENSHOT = join(tmpdir(), 'report.png');

// Launched once, here, so that the test can be skipped (with the reason) when Chromium truly cannot be launched.
const launched: { browser: Browser } | { reason: string } = await chromium
  .launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 })
  .then(
    (browser) => ({ browser }),
    (e: unknown) => ({ reason: `Chromium cannot be launched from ${CHROMIUM} (${String(e instanceof Error ? e.message : e).split('\n')[0]}); install it with: apt-get install -y chromium` }),
  );
if ('reason' in launched) console.warn(`report-browser.test.ts skipped: ${launched.reason}`);

let dir: string;
let out: string;
let reportPath: string;
let manifest: RunManifest;

beforeAll(async () => {
  if ('reason' in launched) return;
  dir = mkdtempSync(join(tmpdir(), 'envision-report-browser-'));
  out = join(dir, 'run');
  const yaml = `model:
  adapter: medclip
  bundle: ${join(root, 'fixtures/tiny-dual')}
images:
  - ${join(root, 'fixtures/images/cxr-a.png')}
methods:
  - id: occlusion
    options: { window: [3, 56, 56], strides: [3, 56, 56], perturbationsPerEval: 16 }
  - id: saliency
targets:
  - name: dims
    dimensions: [0, 5]
  - name: prompts
    texts: ["mild atelectasis", ${JSON.stringify(EVIL)}]
output:
  dir: ${out}
  signs: [all, positive]
`;
  const file = join(dir, 'report.yaml');
  writeFileSync(file, yaml);
  const r = envision(['run', file, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as RunManifest;
  expect(manifest.items.find((i) => i.target === 'prompts')?.labels).toContain(EVIL);
  // The report the run wrote, once the pipeline writes one; else this module's.
  const written = join(out, 'report.html');
  reportPath = existsSync(written)
    ? written
    : await writeReport(out, manifest, {
        metrics: { occlusion: { 'deletion AUC': 0.25 }, saliency: { 'deletion AUC': 0.5 } },
        figures: [{ title: `a figure called ${EVIL}`, png: manifest.items[0]!.overlays[0]! }],
      });
});

afterAll(async () => {
  if ('browser' in launched) await launched.browser.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the HTML report in headless Chromium', () => {
  it.skipIf('reason' in launched)('opens from disk, loads every image, runs no script from the manifest and shows the prompt as text', async () => {
    if (!('browser' in launched)) return;
    const page = await launched.browser.newPage({ viewport: { width: 1400, height: 900 } });
    const requested: string[] = [];
    const failed: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText ?? '?'}`));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });

    const images = await page.$$eval('img', (els) =>
      els.map((e) => {
        const img = e as unknown as { currentSrc: string; complete: boolean; naturalWidth: number };
        return { src: img.currentSrc, complete: img.complete, width: img.naturalWidth };
      }),
    );
    const overlays = manifest.items.reduce((n, i) => n + i.overlays.length, 0);
    expect(overlays).toBe(2 * 2 * 2 * 2); // methods × targets × rows × signs
    expect(images.length).toBeGreaterThanOrEqual(2 * overlays); // both arrangements (+ any figures)
    expect(images.filter((i) => !i.complete || i.width === 0)).toEqual([]);
    expect(images.every((i) => i.src.startsWith('file://'))).toBe(true);
    expect(failed).toEqual([]);
    expect(requested.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([]);
    expect(errors).toEqual([]);

    expect(await page.evaluate(() => (globalThis as Record<string, unknown>).__pwned)).toBeUndefined();
    expect(await page.locator('script').count()).toBe(0);
    const text = (await page.textContent('body')) ?? '';
    expect(text).toContain(EVIL);
    expect(text).toContain(manifest.configFile);
    expect(text).toContain('mild atelectasis');

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });
});

// The explorer in a real browser (headless Chromium, as report-browser.test.ts): a run of the demo (configs/demo.yaml's
// model, the bundled phantom MedCLIP, on one of its phantoms, guided backprop with its per-dimension store and occlusion
// without), served by `envision serve`; the test types a prompt and checks that its map appears and is the map
// `envision run` computes for that prompt: the same overlay bytes, and the same numbers through the API.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { readNpy, type RunManifest } from '@envision/core';
import { envision, root } from './cli.js';
import { floats, serve, type Served } from './explorer.test-support.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Where the screenshot goes: `ENVISION_SCREENSHOT` (the README's is docs/explorer.png), else the temporary folder. */
const SCREENSHOT = process.env.ENVISION_SCREENSHOT ?? join(tmpdir(), 'explorer.png');
const PROMPT = 'right pleural effusion';
const SECOND = 'left lower lobe atelectasis';

const launched: { browser: Browser } | { reason: string } = await chromium
  .launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 })
  .then(
    (browser) => ({ browser }),
    (e: unknown) => ({ reason: `Chromium cannot be launched from ${CHROMIUM} (${String(e instanceof Error ? e.message : e).split('\n')[0]}); install it with: apt-get install -y chromium` }),
  );
if ('reason' in launched) console.warn(`explorer-browser.test.ts skipped: ${launched.reason}`);

let dir: string;
let served: Served | undefined;
let ref: RunManifest;

const demo = (out: string, proposed: readonly string[]) => `model:
  adapter: medclip
  bundle: ${join(root, 'fixtures/phantom-medclip')}
images:
  - ${join(root, 'fixtures/phantoms/images/phantom-2.png')}
methods:
  - id: guided-backprop
  - id: occlusion
    options: { window: [3, 12, 12], strides: [3, 6, 6], baseline: -2.0976, perturbationsPerEval: 64 }
  - id: saliency
targets:
  - name: baseline
    target: classifier
    fusion: { id: max }
    classes:
      Atelectasis: [Atelectasis, atelectasis]
      Pleural Effusion: [Pleural Effusion, pleural effusion]
      No Finding: [No Finding, no finding]
  - name: proposed
    target: embedding
    fusion: { id: dot }
    texts: ${JSON.stringify(proposed)}
    explain: text
output:
  dir: ${out}
  signs: [all, positive]
`;

function run(name: string, yaml: string): RunManifest {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  const r = envision(['run', file, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(readFileSync(join(dir, name, 'manifest.json'), 'utf8')) as RunManifest;
}

beforeAll(async () => {
  if ('reason' in launched) return;
  dir = mkdtempSync(join(tmpdir(), 'envision-explorer-browser-'));
  run('demo', demo(join(dir, 'demo'), ['atelectasis', 'pleural effusion', 'no finding']));
  ref = run('reference', demo(join(dir, 'reference'), [PROMPT]));
  served = await serve(join(dir, 'demo'));
});

afterAll(async () => {
  if (served && served.child.exitCode === null) await served.stop();
  if ('browser' in launched) await launched.browser.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the explorer in headless Chromium', () => {
  it.skipIf('reason' in launched)('types a prompt and shows its map: the map envision run computes for that prompt', async () => {
    if (!('browser' in launched) || served === undefined) return;
    const page = await launched.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    const outside: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(served!.url) && !r.url().startsWith('data:')) outside.push(r.url());
    });
    await page.goto(served.url, { waitUntil: 'load' });
    await page.locator('input.prompt').first().waitFor();
    expect(await page.locator('nav.images button').count()).toBe(1);
    // The method without a store says why and offers to compute it.
    await expect(page.locator('.why').first().textContent()).resolves.toMatch(/occlusion with the direct strategy/);
    expect(await page.locator('button[data-method="occlusion"]').count()).toBe(1);

    const answered = page.waitForResponse((r) => r.url().endsWith('/api/maps') && r.status() === 200);
    await page.locator('input.prompt').first().pressSequentially(PROMPT, { delay: 5 });
    await answered;
    const img = page.locator(`img.live-map[data-method="guided-backprop"][data-prompt="${PROMPT}"]`);
    await img.waitFor({ timeout: 10_000 });
    const { src, width, complete } = await img.evaluate((e) => {
      const i = e as unknown as { src: string; naturalWidth: number; complete: boolean };
      return { src: i.src, width: i.naturalWidth, complete: i.complete };
    });
    expect(complete).toBe(true);
    expect(width).toBe(128);
    // The overlay the page shows is, byte for byte, the one envision run rendered for that prompt (sign all).
    const item = ref.items.find((i) => i.method === 'guided-backprop' && i.target === 'proposed')!;
    expect(item.strategy).toBe('jacobian');
    const shown = Buffer.from(src.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(shown.equals(readFileSync(join(dir, 'reference', item.overlays[0]!)))).toBe(true);
    // The score on the page is envision run's, and the API gives the run's numbers.
    const header = (await page.locator('#live thead th').nth(1).textContent()) ?? '';
    expect(header).toContain(PROMPT);
    expect(header).toContain(`score ${item.scores[0]!.toPrecision(4)}`);
    const values = await page.evaluate(
      async ({ image, prompt }) => {
        const r = await fetch('/api/maps', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ image, prompts: [prompt], values: true }) });
        return ((await r.json()) as { methods: { method: string; maps: { values: string }[] }[] }).methods.find((m) => m.method === 'guided-backprop')!.maps[0]!.values;
      },
      { image: item.image, prompt: PROMPT },
    );
    const expected = (await readNpy(join(dir, 'reference', item.npy))).data as Float32Array;
    const got = floats(values);
    expect(got.length).toBe(expected.length);
    let worst = 0;
    let peak = 0;
    for (let i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
      peak = Math.max(peak, Math.abs(expected[i]!));
    }
    expect(peak).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(peak * 2 ** -23);

    // The run has token attributions (explain: text), so the prompt's words are shaded by their Layer IG.
    const shaded = page.locator('#live thead th').nth(1).locator('span.words span');
    await expect.poll(() => shaded.allTextContents(), { timeout: 10_000 }).toEqual(PROMPT.split(' '));
    expect(await shaded.first().evaluate((e) => (e as unknown as { style: { backgroundColor: string } }).style.backgroundColor)).toMatch(/^rgba?\(/);

    // A second prompt beside the first, and the sign control re-renders both.
    await page.locator('#add-prompt').click();
    const second = page.waitForResponse((r) => r.url().endsWith('/api/maps') && r.status() === 200);
    await page.locator('input.prompt').nth(1).pressSequentially(SECOND, { delay: 5 });
    await second;
    await page.locator(`img.live-map[data-prompt="${SECOND}"]`).first().waitFor();
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    const signed = page.waitForResponse((r) => r.url().endsWith('/api/maps') && r.status() === 200);
    await page.selectOption('#sign', 'positive');
    await signed;
    await page.locator('#live caption', { hasText: 'sign positive' }).waitFor();
    const positive = await page.locator(`img.live-map[data-method="guided-backprop"][data-prompt="${PROMPT}"]`).getAttribute('src');
    expect(Buffer.from(positive!.replace(/^data:image\/png;base64,/, ''), 'base64').equals(readFileSync(join(dir, 'reference', item.overlays[1]!)))).toBe(true);
    // The run's baseline maps are beside, from the run's files.
    const widths = () =>
      page
        .locator('section.image', { hasText: 'Baseline maps of the run' })
        .locator('img')
        .evaluateAll((els) => els.map((e) => (e as unknown as { naturalWidth: number }).naturalWidth));
    await expect.poll(widths, { timeout: 10_000 }).toHaveLength(3 * 3); // methods × classes
    await expect.poll(async () => (await widths()).every((w) => w > 0), { timeout: 10_000 }).toBe(true);

    // Occlusion has no store: its button computes one, with progress, and occlusion becomes live for the prompts.
    await page.locator('button[data-method="occlusion"]').click();
    await page.locator('img.live-map[data-method="occlusion"]').first().waitFor({ timeout: 120_000 });
    expect(await page.locator('img.live-map[data-method="occlusion"]').count()).toBe(2);
    expect(await page.locator('button[data-method="occlusion"]').count()).toBe(0);

    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });
});

import { describe, it, expect } from 'vitest';
import type { RunItem, RunManifest } from '../manifest.js';
import { renderReport, REPORT_CSP } from './page.js';
import type { SanityResult } from '../sanity/result.js';

const evil = '<script>window.__pwned = 1</script>';

function item(image: string, method: string, target: string, labels: string[]): RunItem {
  return {
    image,
    method,
    target,
    kind: 'embedding',
    strategy: 'direct',
    labels,
    scores: labels.map(() => 0.5),
    npy: `${image}/${method}/${target}.npy`,
    overlays: labels.map((_, k) => `${image}/${method}/${target}/0${k}-r.all.png`),
    milliseconds: 10,
  };
}

const manifest: RunManifest = {
  format: 'envision-run/1',
  createdAt: '2026-11-29T16:22:14.290Z',
  configFile: 'exp.yaml',
  config: { texts: [evil] },
  seed: 0,
  versions: { node: '20' },
  model: { adapter: 'medclip', embeddingDim: 32, logitScale: 1, hashes: {} },
  targets: [{ name: 'p', kind: 'embedding', classes: [{ name: 'p', prompts: ['x', evil] }] }],
  items: [item('a', 'ig', 'p', ['x', evil]), item('a', 'gb', 'p', ['x', evil]), item('b', 'ig', 'p', ['x', evil])],
  perDimension: [],
  figures: [{ image: 'a', target: 'p', layout: 'rows-by-methods', png: 'a/figure-p.png' }],
  timings: { totalMs: 1, loadMs: 1, attributionMs: 1, renderMs: 1 },
};

describe('renderReport', () => {
  const html = renderReport(manifest, { metrics: { ig: { auc: 0.5 } } });

  it('is a whole document with a strict content security policy and an inline style sheet', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; img-src`);
    expect(REPORT_CSP).toMatch(/^default-src 'none';/);
    expect(REPORT_CSP).not.toMatch(/script-src/);
    expect(html).toMatch(/<style>[^<]+<\/style>/);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('has no script and loads nothing from outside', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)="(https?:|\/\/|\/)/);
    expect(html).not.toMatch(/<link /);
  });

  it('links a section per image from the table of contents, and the extras', () => {
    expect(html).toContain('<a href="#image-1"><code>a</code></a> <span class="muted">(2 methods × 1 targets)</span>');
    expect(html).toContain('<a href="#image-2"><code>b</code></a>');
    expect(html).toContain('<section class="image" id="image-1">');
    expect(html).toContain('<section class="image" id="image-2">');
    expect(html).toContain('<a href="#extras">Metrics and figures</a>');
  });

  it('leads with the images; the tables of the run (model, versions, timings) come last', () => {
    const about = html.indexOf('<section class="about" id="about">');
    expect(about).toBeGreaterThan(html.indexOf('<section class="image" id="image-2">'));
    expect(html.indexOf('<table')).toBeGreaterThan(html.indexOf('<section class="image" id="image-1">'));
    expect(html).toContain('<a href="#about">About this run</a>');
  });

  it('shows each overlay in both arrangements, by relative URL', () => {
    const sources = [...html.matchAll(/<img src="([^"]*)"/g)].map((m) => m[1]!);
    expect(sources).toHaveLength(2 * 6 + 1);
    expect(new Set(sources)).toEqual(new Set([...manifest.items.flatMap((i) => i.overlays), 'a/figure-p.png']));
  });

  it('escapes the prompt everywhere it appears', () => {
    expect(html).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
  });

  it('leaves out the extras section without extras', () => {
    expect(renderReport(manifest)).not.toContain('id="extras"');
  });

  it('renders a manifest written before targets, figures and kinds were recorded', () => {
    const { targets: _t, perDimension: _p, figures: _f, ...rest } = manifest;
    const old = { ...rest, items: manifest.items.map(({ kind: _k, ...i }) => i) } as unknown as RunManifest;
    const page = renderReport(old);
    expect(page.match(/<img /g)).toHaveLength(2 * 6);
    expect(page).toContain('rows = prompts, columns = methods');
  });

  it('shows the sanity checks, when there are some, with a table per method and its figure, linked from the contents', () => {
    const sanity: SanityResult = {
      format: 'envision-sanity/1',
      createdAt: '2026-12-07T22:00:00.000Z',
      configFile: 'exp.yaml',
      image: 'a.png',
      target: 'p',
      labels: [evil],
      settings: { steps: 'both', layers: 1, seed: 42, similarity: ['spearman', 'ssim'], randomPrompt: true },
      model: { file: 'vision.onnx', sha256: '0', randomised: 1, layers: [{ rank: 1, node: 'proj', name: 'proj.weight', initializers: ['proj.weight'], parameters: 4 }] },
      methods: [
        {
          method: 'ig',
          id: 'ig',
          strategy: 'direct',
          figure: 'sanity/ig.png',
          steps: [
            { kind: 'cascading', label: 'cascading 1', layers: [1], similarity: { spearman: 0.25, ssim: null }, rows: { spearman: [0.25], ssim: [null] }, milliseconds: 1 },
            { kind: 'random-prompt', label: 'random prompt', layers: [], similarity: { spearman: 0.5, ssim: 0.125 }, rows: { spearman: [0.5], ssim: [0.125] }, milliseconds: 1 },
          ],
        },
      ],
      timings: { totalMs: 1 },
    };
    const page = renderReport(manifest, { sanity });
    expect(page).toContain('<a href="#sanity">Sanity checks</a>');
    expect(page).toContain('<h2>Sanity checks</h2>');
    expect(page).toContain('src="sanity/ig.png"');
    expect(page).toMatch(/<th scope="row">cascading 1<\/th><td>1–1 \(down to proj.weight\)<\/td><td class="num">0.25<\/td><td class="num">—<\/td>/);
    expect(page).not.toContain('<script>window');
    expect(renderReport(manifest)).not.toContain('id="sanity"');
  });
});

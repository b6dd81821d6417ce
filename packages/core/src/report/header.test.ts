import { describe, it, expect } from 'vitest';
import type { RunManifest } from '../manifest.js';
import { renderHeader, renderRunDetails } from './header.js';

const manifest: RunManifest = {
  format: 'envision-run/1',
  createdAt: '2026-11-29T16:22:14.290Z',
  configFile: '/work/<b>configs</b>/demo.yaml',
  config: { targets: [{ name: 'p', texts: ['<script>alert(1)</script>'] }] },
  seed: 7,
  versions: { node: '20.20.2', '<i>evil</i>': '1.0.0' },
  model: { adapter: 'medclip', embeddingDim: 32, logitScale: 2.6592600345611572, hashes: { 'vision.onnx': 'abc123' } },
  targets: [],
  items: [],
  perDimension: [],
  figures: [],
  timings: { totalMs: 23019.2, loadMs: 184.9, attributionMs: 17705, renderMs: 5012.2 },
};

describe('renderHeader and renderRunDetails', () => {
  const html = renderRunDetails(manifest).html;

  it('heads the page with the title and the config file only, linking to the details', () => {
    const header = renderHeader(manifest).html;
    expect(header).toContain('<h1>Envision report</h1>');
    expect(header).toContain('/work/&lt;b&gt;configs&lt;/b&gt;/demo.yaml');
    expect(header).toContain('href="#about"');
    expect(header).not.toContain('<table');
    expect(html).toContain('<section class="about" id="about">');
  });

  it('shows the config file, date, seed, model, versions and timings', () => {
    expect(html).toContain('/work/&lt;b&gt;configs&lt;/b&gt;/demo.yaml');
    expect(html).toContain('<time datetime="2026-11-29T16:22:14.290Z">2026-11-29 16:22:14 UTC</time>');
    expect(html).toMatch(/Seed<\/th><td>7</);
    expect(html).toContain('<td>medclip</td>');
    expect(html).toContain('<td>2.659</td>');
    expect(html).toContain('SHA-256 vision.onnx</th><td><code class="hash">abc123</code>');
    expect(html).toContain('<th scope="row">node</th><td>20.20.2</td>');
    expect(html).toContain('23.0 s');
    expect(html).toContain('17.7 s');
    expect(html).toContain('185 ms');
  });

  it('escapes every text from the manifest, including the configuration', () => {
    expect(html).not.toMatch(/<(script|b|i)>/);
    expect(html).toContain('&lt;i&gt;evil&lt;/i&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

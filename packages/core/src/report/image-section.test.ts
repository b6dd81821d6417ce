import { describe, it, expect } from 'vitest';
import type { RunItem } from '../manifest.js';
import { imageAnchor, renderImageSection } from './image-section.js';
import { groupByImage } from './layout.js';

const evil = '<script>window.__pwned = 1</script>';

function item(method: string, report?: Record<string, unknown>): RunItem {
  return {
    image: '../images/<x>.png',
    method,
    target: 'prompts',
    kind: 'embedding',
    strategy: method === 'gb' ? 'jacobian' : 'direct',
    labels: ['mild atelectasis', evil],
    scores: [0.25, -0.125],
    npy: `x/${method}/prompts.npy`,
    overlays: ['x/a.all.png', 'x/b.all.png'],
    milliseconds: 1500,
    ...(report ? { report } : {}),
  };
}

describe('renderImageSection', () => {
  const image = groupByImage({
    items: [item('ig', { convergenceDelta: [1.1287954868538421e-5, -3.08e-5], steps: 32, integration: 'gausslegendre' }), item('gb')],
    perDimension: [{ image: '../images/<x>.png', method: 'gb', npy: 'x/gb/per-dimension.npy', milliseconds: 2500 }],
    figures: [{ image: '../images/<x>.png', target: 'prompts', layout: 'rows-by-methods', png: 'x/figure-prompts.png' }],
  })[0]!;
  const html = renderImageSection(image, 2).html;

  it('is anchored and titled with the escaped image name', () => {
    expect(imageAnchor(2)).toBe('image-3');
    expect(html).toContain('<section class="image" id="image-3">');
    expect(html).toContain('<h2>Image 3: <code>../images/&lt;x&gt;.png</code></h2>');
  });

  it('tables the prompts with their scores and per-row numbers such as IG convergence deltas', () => {
    expect(html).toContain('<h4>Target <code>prompts</code> <span class="muted">(prompts fused with the image embedding)</span></h4>');
    expect(html).toContain('<th scope="col">Prompt</th><th scope="col">Score</th><th scope="col">ig: convergenceDelta</th>');
    expect(html).toContain('<td class="num">1</td><td>&lt;script&gt;window.__pwned = 1&lt;/script&gt;</td><td class="num">-0.125</td><td class="num">-3.08e-5</td>');
    expect(html).toContain('<td class="num">1.129e-5</td>');
  });

  it('tables the method runs with the other reported values, and the per-dimension maps', () => {
    expect(html).toContain('<td>ig</td><td>prompts</td><td>direct</td><td class="num">1.5 s</td>');
    expect(html).toContain('<a href="x/ig/prompts.npy"><code>x/ig/prompts.npy</code></a>');
    expect(html).toContain('<li><span class="key">steps</span> 32</li><li><span class="key">integration</span> gausslegendre</li>');
    expect(html).toContain('<td>gb</td><td>prompts</td><td>jacobian</td>');
    expect(html).toContain('<td>gb</td><td><a href="x/gb/per-dimension.npy"><code>x/gb/per-dimension.npy</code></a></td><td class="num">2.5 s</td>');
  });

  it('shows both arrangements of the overlays and the run figures, and no raw markup from the manifest', () => {
    expect(html).toContain('Overlays: rows = prompts (or classes, dimensions), columns = methods');
    expect(html).toContain('Overlays: rows = methods, columns = targets');
    expect(html).toContain('<img src="x/figure-prompts.png" alt="Target prompts: rows = target rows, columns = methods (x/figure-prompts.png)">');
    expect(html.match(/<img /g)).toHaveLength(8 + 1);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<x>');
  });

  it('leads with the pictures: the run figures, then the overlays, then the tables', () => {
    const at = (needle: string) => {
      const i = html.indexOf(needle);
      expect(i, needle).toBeGreaterThanOrEqual(0);
      return i;
    };
    const figure = at('<img src="x/figure-prompts.png"');
    const overlays = at('Overlays: rows = prompts');
    const firstTable = at('<table class="scores"');
    expect(figure).toBeLessThan(overlays);
    expect(overlays).toBeLessThan(at('<h3>Scores</h3>'));
    expect(html.indexOf('<img ')).toBe(figure);
    expect(html.lastIndexOf('<img ')).toBeLessThan(firstTable);
  });

  it('lists the prompts of each class of a classifier target', () => {
    const classifier = groupByImage({
      items: [{ ...item('ig'), target: 'cls', kind: 'classifier', labels: ['Atelectasis', 'No Finding'], report: {} }],
      targets: [{ name: 'cls', kind: 'classifier', classes: [{ name: 'Atelectasis', prompts: ['mild atelectasis', evil] }, { name: 'No Finding', prompts: [] }] }],
    })[0]!;
    const h = renderImageSection(classifier, 0).html;
    expect(h).toContain('(classifier (baseline))');
    expect(h).toContain('<th scope="col">Class</th><th scope="col">Score</th><th scope="col">Prompts</th>');
    expect(h).toContain('<td>Atelectasis</td><td class="num">0.25</td><td><ul class="prompts"><li>mild atelectasis</li><li>&lt;script&gt;window.__pwned = 1&lt;/script&gt;</li></ul></td>');
    expect(h).toContain('<td>No Finding</td><td class="num">-0.125</td><td>—</td>');
    expect(h).toContain('rows = classes, columns = methods');
    expect(h).not.toContain('<script>');
  });
});

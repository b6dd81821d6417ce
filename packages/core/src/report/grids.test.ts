import { describe, it, expect } from 'vitest';
import type { RunItem } from '../manifest.js';
import { gridsByMethod, gridsByRow, overlayCaption, overlayFigure } from './grids.js';
import { groupByImage } from './layout.js';

function item(method: string, target: string, labels: string[]): RunItem {
  return {
    image: 'a.png',
    method,
    target,
    kind: target === 'dims' ? 'dimensions' : 'embedding',
    strategy: 'direct',
    labels,
    scores: labels.map((_, k) => -k / 8),
    npy: `a/${method}/${target}.npy`,
    overlays: labels.flatMap((_, k) => ['all', 'positive'].map((s) => `a/${method}/${target}/0${k}-r.${s}.png`)),
    milliseconds: 1,
  };
}

const evil = '<script>window.__pwned = 1</script>';
const image = groupByImage({ items: [item('occlusion', 'dims', ['dim 0']), item('occlusion', 'prompts', ['mild', evil]), item('ig', 'prompts', ['mild', evil])] })[0]!;

/** The `<img>` sources in document order. */
const sources = (html: string) => [...html.matchAll(/<img src="([^"]*)"/g)].map((m) => m[1]);

describe('overlayFigure', () => {
  it('shows the overlay with an escaped caption and links it at full size', () => {
    const o = image.overlay('ig', 'prompts', 1, 'positive')!;
    expect(overlayCaption(o)).toBe(`ig · ${evil} · positive · score -0.125`);
    const html = overlayFigure(o).html;
    expect(html).toContain('<a href="a/ig/prompts/01-r.positive.png"><img src="a/ig/prompts/01-r.positive.png"');
    expect(html).toContain('<figcaption>ig · &lt;script&gt;window.__pwned = 1&lt;/script&gt; · positive · score -0.125</figcaption>');
    expect(html).not.toContain('<script>');
  });
});

describe('gridsByRow (Fig. 2)', () => {
  const html = gridsByRow(image).html;

  it('has one table per target and sign, rows = labels, columns = methods', () => {
    expect(html.match(/<table/g)).toHaveLength(4);
    const prompts = html.split('<table').find((t) => t.includes('<b>prompts</b>, sign <b>positive</b>'))!;
    expect(prompts).toContain('<th scope="col">occlusion</th><th scope="col">ig</th>');
    expect(sources(prompts)).toEqual([
      'a/occlusion/prompts/00-r.positive.png',
      'a/ig/prompts/00-r.positive.png',
      'a/occlusion/prompts/01-r.positive.png',
      'a/ig/prompts/01-r.positive.png',
    ]);
    expect(prompts).toContain('score -0.125');
  });

  it('marks missing cells and escapes labels', () => {
    const dims = html.split('<table').find((t) => t.includes('<b>dims</b>, sign <b>all</b>'))!;
    expect(dims).toContain('rows = embedding dimensions');
    expect(dims).toContain('<td class="missing">—</td>');
    expect(html).not.toContain('<script>');
  });
});

describe('gridsByMethod (Fig. 1)', () => {
  const html = gridsByMethod(image).html;

  it('has one table per sign, rows = methods, columns = target rows grouped by target', () => {
    expect(html.match(/<table/g)).toHaveLength(2);
    const all = html.split('<table')[1]!;
    expect(all).toContain('<th scope="colgroup" colspan="1">dims</th><th scope="colgroup" colspan="2">prompts</th>');
    expect(sources(all)).toEqual([
      'a/occlusion/dims/00-r.all.png',
      'a/occlusion/prompts/00-r.all.png',
      'a/occlusion/prompts/01-r.all.png',
      'a/ig/prompts/00-r.all.png',
      'a/ig/prompts/01-r.all.png',
    ]);
    expect(all).toContain('<th scope="row">ig</th><td class="missing">—</td>');
    expect(html).not.toContain('<script>');
  });
});

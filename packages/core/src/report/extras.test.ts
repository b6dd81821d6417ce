import { describe, it, expect } from 'vitest';
import { renderExtras } from './extras.js';

describe('renderExtras', () => {
  it('renders nothing without extras', () => {
    expect(renderExtras(undefined, '/run').html).toBe('');
    expect(renderExtras({ metrics: {}, figures: [] }, '/run').html).toBe('');
  });

  it('tables metrics: rows = outer keys, columns = inner keys in order of first appearance', () => {
    const html = renderExtras({ metrics: { ig: { 'deletion AUC': 0.2134, insertion: 0.6 }, '<b>gb</b>': { insertion: 0.5, extra: 3 } } }, '/run').html;
    expect(html).toContain('<th scope="col"></th><th scope="col">deletion AUC</th><th scope="col">insertion</th><th scope="col">extra</th>');
    expect(html).toContain('<th scope="row">ig</th><td class="num">0.2134</td><td class="num">0.6</td><td class="num">—</td>');
    expect(html).toContain('<th scope="row">&lt;b&gt;gb&lt;/b&gt;</th><td class="num">—</td><td class="num">0.5</td><td class="num">3</td>');
    expect(html).not.toContain('<h3>Figures</h3>');
  });

  it('shows figures by relative URL with escaped titles', () => {
    const html = renderExtras({ figures: [{ title: 'ROC <1>', png: 'figures/roc curve.png' }, { title: 'abs', png: '/run/f/x.png' }] }, '/run').html;
    expect(html).toContain('<img src="figures/roc%20curve.png" alt="ROC &lt;1&gt;">');
    expect(html).toContain('<figcaption>ROC &lt;1&gt;</figcaption>');
    expect(html).toContain('<img src="f/x.png"');
    expect(html).not.toContain('<h3>Metrics</h3>');
  });
});

import { describe, it, expect } from 'vitest';
import { raw, table } from './html.js';
import { REPORT_CSP } from './page.js';
import { renderStandalonePage } from './standalone-page.js';
import { REPORT_CSS } from './style.js';

describe('renderStandalonePage', () => {
  it('wraps safe content in a whole document with the report style and content security policy, escaping text', () => {
    const html = renderStandalonePage({
      title: 'Bench <1>',
      subtitle: 'a & b',
      body: raw(`<section>${table(['x'], [['<i>']]).html}</section>`),
      footer: 'written by "us"',
    });
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain(`content="${REPORT_CSP.replace(/'/g, '&#39;')}"`);
    expect(html).toContain(`<style>${REPORT_CSS}</style>`);
    expect(html).toContain('<title>Bench &lt;1&gt;</title>');
    expect(html).toContain('<h1>Bench &lt;1&gt;</h1>\n<p class="subtitle">a &amp; b</p>');
    expect(html).toContain('<td>&lt;i&gt;</td>');
    expect(html).toContain('<footer>written by &quot;us&quot;</footer>');
    expect(html).not.toContain('<script');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });
  it('leaves out a missing subtitle and footer', () => {
    const html = renderStandalonePage({ title: 't', body: raw('<p>x</p>') });
    expect(html).not.toContain('class="subtitle"');
    expect(html).not.toContain('<footer>');
  });
});

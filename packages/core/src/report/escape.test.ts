import { describe, it, expect } from 'vitest';
import { escapeHtml } from './escape.js';

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('turns a script into inert text', () => {
    const s = escapeHtml('<script>window.__pwned = 1</script>');
    expect(s).toBe('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    expect(s).not.toMatch(/[<>]/);
  });

  it('leaves other text, including non-ASCII, as it is', () => {
    expect(escapeHtml('mild atelectasis — ≥ 2 cm, Ødem')).toBe('mild atelectasis — ≥ 2 cm, Ødem');
    expect(escapeHtml('')).toBe('');
  });

  it('converts non-strings with String', () => {
    expect(escapeHtml(3.5)).toBe('3.5');
    expect(escapeHtml(null)).toBe('null');
  });

  it('escapes every occurrence, not just the first', () => {
    expect(escapeHtml('<<>>')).toBe('&lt;&lt;&gt;&gt;');
  });
});

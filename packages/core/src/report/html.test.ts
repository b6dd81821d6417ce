import { describe, it, expect } from 'vitest';
import { raw, render, table } from './html.js';

describe('render', () => {
  it('escapes text, formats numbers and keeps marked HTML', () => {
    expect(render('<b>')).toBe('&lt;b&gt;');
    expect(render(0.123456)).toBe('0.1235');
    expect(render(raw('<b>x</b>'))).toBe('<b>x</b>');
  });
});

describe('table', () => {
  it('renders a head and rows, escaping text cells', () => {
    const t = table(['name', 'value'], [['<script>x</script>', 2.5]]).html;
    expect(t).toContain('<thead><tr><th scope="col">name</th><th scope="col">value</th></tr></thead>');
    expect(t).toContain('<td>&lt;script&gt;x&lt;/script&gt;</td><td>2.5</td>');
    expect(t).not.toContain('<script>');
  });

  it('marks row headers, numeric columns and a class', () => {
    const t = table([], [['a', 1]], { rowHeaders: true, numeric: [1], className: 'kv' }).html;
    expect(t).toBe('<table class="kv">\n<tbody><tr><th scope="row">a</th><td class="num">1</td></tr></tbody></table>');
  });
});

import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { rejected } from '../expect-error.test-support.js';
import { escapeXml, gridLayout, renderGrid } from './grid.js';

async function solid(width: number, height: number, r: number, g: number, b: number): Promise<Uint8Array> {
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).png().toBuffer();
}

async function decode(png: Uint8Array): Promise<{ data: Uint8Array; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

function pixel(img: { data: Uint8Array; width: number; channels: number }, x: number, y: number): number[] {
  const i = (y * img.width + x) * img.channels;
  return Array.from(img.data.subarray(i, i + 3));
}

/** The code of the EnvisionError `p` rejects with (fails the test when it resolves or rejects otherwise). */
const code = async (p: Promise<unknown>): Promise<string> => (await rejected(p)).code;

describe('gridLayout', () => {
  it('places cells after the label column and header, GAP apart', () => {
    // label column: ceil(2 chars · 0.6 · 14) + 2 · 6 = 17 + 12 = 29; header: 14 + 2 · 6 = 26
    const layout = gridLayout(2, 3, ['a', 'bb'], ['x', 'y', 'z'], 20);
    expect([layout.labelWidth, layout.headerHeight]).toEqual([29, 26]);
    expect([layout.width, layout.height]).toEqual([29 + 3 * 20 + 4 * 4, 26 + 2 * 20 + 3 * 4]);
    expect(layout.cellOrigin(1, 2)).toEqual({ left: 29 + 4 + 2 * 24, top: 26 + 4 + 24 });
  });

  it('caps the label column at three cells', () => {
    expect(gridLayout(1, 1, ['a'.repeat(100)], [''], 20).labelWidth).toBe(60);
  });

  it('leaves no room for empty labels', () => {
    const layout = gridLayout(1, 2, [''], ['', ''], 10);
    expect([layout.width, layout.height, layout.labelWidth, layout.headerHeight]).toEqual([2 * 10 + 3 * 4, 10 + 2 * 4, 0, 0]);
  });
});

describe('renderGrid', () => {
  it('has the layout’s size and puts each cell at its offset', async () => {
    const red = await solid(4, 4, 255, 0, 0);
    // a 2 × 2 cell enlarged to 4 × 4 by nearest neighbour: each source pixel becomes a 2 × 2 block
    const checker = await sharp(Uint8Array.from([0, 0, 255, 0, 255, 0, 0, 255, 0, 0, 0, 255]), { raw: { width: 2, height: 2, channels: 3 } })
      .png()
      .toBuffer();
    const png = await renderGrid({ cells: [[null, red, null], [checker, null, red]], rowLabels: ['a', 'bb'], colLabels: ['x', 'y', 'z'], cellSize: 4 });
    const img = await decode(png);
    const layout = gridLayout(2, 3, ['a', 'bb'], ['x', 'y', 'z'], 4);
    expect([img.width, img.height, img.channels]).toEqual([layout.width, layout.height, 3]);

    for (const [row, col] of [[0, 1], [1, 2]] as const) {
      const { left, top } = layout.cellOrigin(row, col);
      for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) expect(pixel(img, left + dx, top + dy)).toEqual([255, 0, 0]);
      expect(pixel(img, left - 1, top)).toEqual([255, 255, 255]); // the gap
    }
    const empty = layout.cellOrigin(0, 0);
    expect(pixel(img, empty.left, empty.top)).toEqual([240, 240, 240]);
    const c = layout.cellOrigin(1, 0);
    expect(pixel(img, c.left + 1, c.top + 1)).toEqual([0, 0, 255]);
    expect(pixel(img, c.left + 2, c.top + 1)).toEqual([0, 255, 0]);
    expect(pixel(img, c.left + 1, c.top + 2)).toEqual([0, 255, 0]);
    expect(pixel(img, c.left + 3, c.top + 3)).toEqual([0, 0, 255]);
  });

  it('fits a larger cell into its square', async () => {
    const img = await decode(await renderGrid({ cells: [[await solid(40, 40, 0, 0, 255)]], rowLabels: [''], colLabels: [''], cellSize: 8 }));
    expect([img.width, img.height]).toEqual([16, 16]);
    expect(pixel(img, 4, 4)).toEqual([0, 0, 255]);
    expect(pixel(img, 11, 11)).toEqual([0, 0, 255]);
  });

  it.skipIf(process.platform === 'linux' && !existsSync('/usr/share/fonts'))('draws label text, XML-escaped', async () => {
    const cellSize = 48;
    const rowLabels = ['<b> & "q"'];
    const colLabels = ["it's <x>"];
    const img = await decode(await renderGrid({ cells: [[null]], rowLabels, colLabels, cellSize }));
    const layout = gridLayout(1, 1, rowLabels, colLabels, cellSize);
    const dark = (x0: number, y0: number, x1: number, y1: number): number => {
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (pixel(img, x, y)[0]! < 128) n++;
      return n;
    };
    expect(dark(0, layout.headerHeight, layout.labelWidth, layout.height)).toBeGreaterThan(10); // row label
    expect(dark(layout.labelWidth, 0, layout.width, layout.headerHeight)).toBeGreaterThan(10); // column label
  });

  it('rejects mismatched labels, bad cell bytes and a bad cell size', async () => {
    expect(await code(renderGrid({ cells: [[null]], rowLabels: [], colLabels: ['x'] }))).toBe('E_INPUT');
    expect(await code(renderGrid({ cells: [[null, null]], rowLabels: ['r'], colLabels: ['x'] }))).toBe('E_INPUT');
    expect(await code(renderGrid({ cells: [[null]], rowLabels: ['r'], colLabels: ['x'], cellSize: 0 }))).toBe('E_INPUT');
    expect(await code(renderGrid({ cells: [[Uint8Array.from([1, 2, 3])]], rowLabels: ['r'], colLabels: ['x'], cellSize: 8 }))).toBe('E_IMAGE');
  });
});

describe('escapeXml', () => {
  it('escapes markup characters and drops characters XML forbids', () => {
    expect(escapeXml(`a<b>&"c'\u0001`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });
});

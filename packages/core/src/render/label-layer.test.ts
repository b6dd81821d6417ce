import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { drawSvgLayer } from './label-layer.js';

const svg = (w: number, h: number, body: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${body}</svg>`;

describe('drawSvgLayer', () => {
  it('blends each covered pixel as round((s·α + d·(255 − α)) / 255) and leaves the others', async () => {
    const canvas = new Uint8Array(4 * 2 * 3).fill(100);
    // an opaque red pixel at (0, 0), a 40 %-opaque blue one at (1, 0), nothing elsewhere
    await drawSvgLayer(canvas, 4, 2, svg(4, 2, '<rect x="0" y="0" width="1" height="1" fill="#ff0000"/><rect x="1" y="0" width="1" height="1" fill="#0000ff" fill-opacity="0.4"/>'));
    expect(Array.from(canvas.subarray(0, 3))).toEqual([255, 0, 0]);
    const a = Math.round(0.4 * 255); // librsvg's 8-bit alpha
    const mix = (s: number) => Math.round((s * a + 100 * (255 - a)) / 255);
    expect(Array.from(canvas.subarray(3, 6))).toEqual([mix(0), mix(0), mix(255)]);
    expect(Array.from(canvas.subarray(6))).toEqual(new Array(18).fill(100));
  });

  it('agrees with sharp’s own composite within 1 on anti-aliased text', async () => {
    const w = 120;
    const h = 30;
    const text = svg(w, h, '<text x="4" y="20" font-family="DejaVu Sans" font-size="14" fill="#222">Pleural effusion…</text>');
    const canvas = new Uint8Array(w * h * 3).fill(255);
    await drawSvgLayer(canvas, w, h, text);
    const reference = await sharp(Buffer.alloc(w * h * 3, 255), { raw: { width: w, height: h, channels: 3 } })
      .composite([{ input: Buffer.from(text), left: 0, top: 0 }])
      .removeAlpha()
      .raw()
      .toBuffer();
    let dark = 0;
    for (let i = 0; i < canvas.length; i++) {
      expect(Math.abs(canvas[i]! - reference[i]!)).toBeLessThanOrEqual(1);
      if (canvas[i]! < 128) dark++;
    }
    expect(dark).toBeGreaterThan(50);
  });

  it('says when the SVG cannot be drawn at the canvas size', async () => {
    await expect(drawSvgLayer(new Uint8Array(12), 2, 2, svg(3, 3, ''))).rejects.toMatchObject({ code: 'E_IMAGE' });
    await expect(drawSvgLayer(new Uint8Array(12), 2, 2, '<svg')).rejects.toMatchObject({ code: 'E_IMAGE' });
  });
});

import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { tensor } from '@envision/onnx-grad';
import { rejected } from '../expect-error.test-support.js';
import { imageFromTensor, renderOverlay, writeOverlayPng, type OverlayImage } from './overlay.js';

async function decode(png: Uint8Array): Promise<{ pixels: number[]; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { pixels: Array.from(data), width: info.width, height: info.height, channels: info.channels };
}

/** The code of the EnvisionError `p` rejects with (fails the test when it resolves or rejects otherwise). */
const code = async (p: Promise<unknown>): Promise<string> => (await rejected(p)).code;

// One strong positive pixel: positive values [4, 0, 0, 0]: sorted [0, 0, 0, 4], running [0, 0, 0, 4], 98 % → threshold 4,
// so the normalised map is [1, 0, 0, 0]: darkest Greens (0, 68, 27) at pixel 0, lightest (247, 252, 245) elsewhere.
const MAP = tensor('float32', [2, 2], Float32Array.from([4, 0, 0, 0]));
// Gray image 100, 50, 150, 200, stretched from min 50 to max 200: floor(256 · [1/3, 0, 2/3, 1]) capped → 85, 0, 170, 255.
const IMAGE: OverlayImage = { data: Uint8Array.from([100, 50, 150, 200]), width: 2, height: 2, channels: 1 };

describe('renderOverlay', () => {
  it('blends the colour-mapped heat map over the stretched gray image with alpha 0.5 (blended_heat_map)', async () => {
    const out = await decode(await renderOverlay({ map: MAP, image: IMAGE, sign: 'positive' }));
    expect([out.width, out.height, out.channels]).toEqual([2, 2, 3]);
    // round(0.5 · heat + 0.5 · gray), halves up
    expect(out.pixels).toEqual([
      43, 77, 56, // (0, 68, 27) over 85: 42.5, 76.5, 55.5
      124, 126, 123, // (247, 252, 245) over 0: 123.5, 126, 122.5
      209, 211, 208, // over 170: 208.5, 211, 207.5
      251, 254, 250, // over 255: 251, 253.5, 250
    ]);
  });

  it('averages RGB channels for the underlay and honours alpha', async () => {
    // channel means 60, 0, 120, 240 → stretched floor(256 · [0.25, 0, 0.5, 1]) → 64, 0, 128, 255
    const rgb: OverlayImage = {
      data: Uint8Array.from([30, 60, 90, 0, 0, 0, 100, 120, 140, 240, 240, 240]),
      width: 2,
      height: 2,
      channels: 3,
    };
    const gray = await decode(await renderOverlay({ map: MAP, image: rgb, sign: 'positive', alpha: 0 }));
    expect(gray.pixels).toEqual([64, 64, 64, 0, 0, 0, 128, 128, 128, 255, 255, 255]);
    const heat = await decode(await renderOverlay({ map: MAP, image: rgb, sign: 'positive', alpha: 1 }));
    expect(heat.pixels).toEqual([0, 68, 27, 247, 252, 245, 247, 252, 245, 247, 252, 245]);
  });

  it('draws the heat map alone without an image (heat_map)', async () => {
    const out = await decode(await renderOverlay({ map: MAP, sign: 'positive' }));
    expect(out.pixels).toEqual([0, 68, 27, 247, 252, 245, 247, 252, 245, 247, 252, 245]);
  });

  it('defaults to sign absolute_value (Blues), and sums channels', async () => {
    // [C=2, 1, 2]: sums [−3 + 1, 0 + 0] = [−2, 0]; |·| → [1, 0]
    const map = tensor('float32', [2, 1, 2], Float32Array.from([-3, 0, 1, 0]));
    const out = await decode(await renderOverlay({ map }));
    expect(out.pixels).toEqual([8, 48, 107, 247, 251, 255]);
  });

  it('resizes the heat map to the image with nearest neighbour', async () => {
    // sign all on [1, −1, 0, 0]: |·| running [0, 0, 1, 2], 98 % → threshold 1: green, red, near-white, near-white
    const map = tensor('float32', [2, 2], Float32Array.from([1, -1, 0, 0]));
    const image: OverlayImage = { data: Uint8Array.from({ length: 16 }, (_, i) => i * 17), width: 4, height: 4, channels: 1 };
    const out = await decode(await renderOverlay({ map, image, sign: 'all', alpha: 1 }));
    expect([out.width, out.height]).toEqual([4, 4]);
    const G = [0, 128, 0];
    const R = [255, 0, 0];
    const W = [254, 255, 254];
    expect(out.pixels).toEqual([...G, ...G, ...R, ...R, ...G, ...G, ...R, ...R, ...W, ...W, ...W, ...W, ...W, ...W, ...W, ...W]);
  });

  it('shows the gray image where the map is NaN', async () => {
    const map = tensor('float32', [2, 2], Float32Array.from([Number.NaN, 4, 0, 0]));
    const out = await decode(await renderOverlay({ map, image: IMAGE, sign: 'positive' }));
    expect(out.pixels.slice(0, 3)).toEqual([85, 85, 85]);
  });

  it('rejects a mismatched image and an alpha out of range', async () => {
    const bad: OverlayImage = { data: new Uint8Array(3), width: 2, height: 2, channels: 1 };
    expect(await code(renderOverlay({ map: MAP, image: bad }))).toBe('E_INPUT');
    expect(await code(renderOverlay({ map: MAP, alpha: 1.5 }))).toBe('E_CONFIG');
    expect(await code(renderOverlay({ map: tensor('float32', [4], new Float32Array(4)) }))).toBe('E_INPUT');
  });
});

describe('writeOverlayPng', () => {
  it('writes the rendered PNG', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envision-overlay-'));
    try {
      const path = join(dir, 'sub', 'overlay.png');
      await writeOverlayPng(path, { map: MAP, image: IMAGE, sign: 'positive' });
      expect(new Uint8Array(await readFile(path))).toEqual(new Uint8Array(await renderOverlay({ map: MAP, image: IMAGE, sign: 'positive' })));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('imageFromTensor', () => {
  it('undoes the normalisation, clips to [0, 1] and averages channels to 0–255', () => {
    // [1, C=3, H=1, W=2], mean 0.5, std 0.25: pixel 0 → (1, 0, 0.5) · 255 → mean 127.5 → 128;
    // pixel 1 → (3 → 1, −2 → 0, 0.75) · 255 → (255 + 0 + 191.25) / 3 = 148.75 → 149
    const pixels = tensor('float32', [1, 3, 1, 2], Float32Array.from([2, 10, -2, -10, 0, 1]));
    const image = imageFromTensor(pixels, [0.5, 0.5, 0.5], [0.25]);
    expect(image).toEqual({ data: Uint8Array.from([128, 149]), width: 2, height: 1, channels: 1 });
  });

  it('uses per-channel mean and std', () => {
    // pixel = x · std[c] + mean[c]: (0 · 0.5 + 0.2, 1 · 0.5 + 0.2, −1 · 0.25 + 0.5) = (0.2, 0.7, 0.25) → 51 + 178.5 + 63.75 → 97.75 → 98
    const pixels = tensor('float32', [3, 1, 1], Float32Array.from([0, 1, -1]));
    expect(Array.from(imageFromTensor(pixels, [0.2, 0.2, 0.5], [0.5, 0.5, 0.25]).data)).toEqual([98]);
  });

  it('rejects other shapes and mismatched mean/std', () => {
    const t = tensor('float32', [3, 1, 1], new Float32Array(3));
    expect(() => imageFromTensor(tensor('float32', [2, 2], new Float32Array(4)), [0], [1])).toThrow(/expected \[1, C, H, W\]/);
    expect(() => imageFromTensor(t, [0, 0], [1])).toThrow(/mean has 2 values/);
  });
});

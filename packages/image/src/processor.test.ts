import { describe, expect, it } from 'vitest';
import { fixture, fixtureNpy, maxAbsDiff } from './test-fixtures.test-support.js';
import { decodeRgb } from './decode-rgb.js';
import { centerCropRgb, cropOffset, normalizeRgb, resizeRgb, shortestEdgeSize } from './processor.js';

const OPENAI = { rescaleFactor: 1 / 255, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] } as const;
const HALF = { rescaleFactor: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } as const;

// References: transformers' image_transforms.py steps written out with PIL and numpy (scripts/make_pil_reference.py).
describe('CLIP-family processors against transformers + PIL', () => {
  for (const name of ['wide', 'tall', 'small']) {
    it(`CLIPImageProcessor (shortest edge 24, bicubic, crop 24×24, OpenAI mean/std), ${name}`, async () => {
      const img = await decodeRgb(fixture(`processor-${name}.png`));
      const resized = resizeRgb(img, shortestEdgeSize(img.width, img.height, 24), 'bicubic');
      const pixels = normalizeRgb(centerCropRgb(resized, { width: 24, height: 24 }), OPENAI);
      const ref = await fixtureNpy(`processor-clip-${name}.npy`);
      expect(pixels.shape).toEqual(ref.shape);
      expect(maxAbsDiff(pixels.data, ref.data)).toBe(0);
    });

    it(`SiglipImageProcessor (squash to 20×16, bilinear, mean = std = 0.5), ${name}`, async () => {
      const img = await decodeRgb(fixture(`processor-${name}.png`));
      const pixels = normalizeRgb(resizeRgb(img, { width: 20, height: 16 }, 'bilinear'), HALF);
      const ref = await fixtureNpy(`processor-siglip-${name}.npy`);
      expect(pixels.shape).toEqual(ref.shape);
      expect(maxAbsDiff(pixels.data, ref.data)).toBe(0);
    });

    it(`center_crop to 40×15, padded with zeros where the image is smaller, ${name}`, async () => {
      const img = await decodeRgb(fixture(`processor-${name}.png`));
      const crop = centerCropRgb(img, { width: 40, height: 15 });
      const ref = await fixtureNpy(`processor-crop-${name}.npy`);
      expect([crop.height, crop.width, 3]).toEqual(ref.shape);
      expect(maxAbsDiff(crop.data, ref.data)).toBe(0);
    });
  }
});

describe('shortestEdgeSize', () => {
  it('keeps the aspect with the long edge truncated, as get_resize_output_image_size does', () => {
    expect(shortestEdgeSize(640, 480, 224)).toEqual({ width: 298, height: 224 }); // 224 · 640 / 480 = 298.67
    expect(shortestEdgeSize(480, 640, 224)).toEqual({ width: 224, height: 298 });
    expect(shortestEdgeSize(300, 300, 224)).toEqual({ width: 224, height: 224 });
  });
});

describe('normalizeRgb', () => {
  it('computes float32((float64(v) · f) − mean) / std per channel, channels first', () => {
    const t = normalizeRgb({ width: 2, height: 1, data: Uint8Array.of(0, 128, 255, 10, 20, 30) }, OPENAI);
    expect(t.shape).toEqual([1, 3, 1, 2]);
    const f = Math.fround;
    const at = (v: number, c: number): number => f(f(f(v / 255) - f(OPENAI.mean[c]!)) / f(OPENAI.std[c]!));
    expect(Array.from(t.data)).toEqual([at(0, 0), at(10, 0), at(128, 1), at(20, 1), at(255, 2), at(30, 2)]);
  });

  it('refuses a zero or non-finite std in one line', () => {
    expect(() => normalizeRgb({ width: 1, height: 1, data: new Uint8Array(3) }, { ...HALF, std: [0.5, 0, 0.5] })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG', message: 'image std must be finite and non-zero, got [0.5,0,0.5]' }),
    );
    expect(() => normalizeRgb({ width: 1, height: 1, data: new Uint8Array(3) }, { ...HALF, rescaleFactor: Number.NaN })).toThrow(
      'image rescaleFactor must be finite, got [null]',
    );
  });
});

describe('cropOffset', () => {
  it("floor (transformers) and round-half-even (torchvision's CenterCrop), hand-computed", () => {
    // d = length − crop: 5 → 2.5, 7 → 3.5, 6 → 3, −3 (padding) → −1.5
    expect([5, 7, 6, -3].map((d) => cropOffset(10 + d, 10, 'floor'))).toEqual([2, 3, 3, -2]);
    expect([5, 7, 6, -3].map((d) => cropOffset(10 + d, 10, 'round'))).toEqual([2, 4, 3, -1]);
  });

  it('places the window of centerCropRgb', () => {
    const row = { width: 5, height: 1, data: Uint8Array.from({ length: 15 }, (_, i) => Math.floor(i / 3)) };
    // width 5 → 2: d = 3, floor 1 (pixels 1, 2), round-half-even(1.5) = 2 (pixels 2, 3)
    expect(Array.from(centerCropRgb(row, { width: 2, height: 1 }).data)).toEqual([1, 1, 1, 2, 2, 2]);
    expect(Array.from(centerCropRgb(row, { width: 2, height: 1 }, 'round').data)).toEqual([2, 2, 2, 3, 3, 3]);
  });
});

describe('normalizeRgb with divideBy (torchvision ToTensor)', () => {
  it('computes float32(float32(v / 255) − mean) / std', () => {
    const t = normalizeRgb({ width: 1, height: 1, data: Uint8Array.of(1, 128, 255) }, { rescaleFactor: 1, divideBy: 255, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
    const f = Math.fround;
    expect(Array.from(t.data)).toEqual([1, 128, 255].map((v) => f(f(f(v / 255) - 0.5) / 0.25)));
  });
});

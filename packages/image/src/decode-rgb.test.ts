import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, fixtureNpy, maxAbsDiff } from './test-fixtures.test-support.js';
import { decodeRgb, toRgb } from './decode-rgb.js';
import { decodeGrey } from './decode-image.js';

describe("decodeRgb against PIL's convert('RGB') (scripts/make_pil_reference.py)", () => {
  it.each([
    'decode-rgb.png',
    'decode-rgba.png',
    'decode-la.png',
    'decode-grey16.png',
    'decode-rgb16.png',
    'decode-la16.png',
    'decode-grey.jpg',
    'decode-rgb.jpg',
  ])('%s', async (file) => {
    const img = await decodeRgb(fixture(file));
    const ref = await fixtureNpy(`rgb-of-${file.replace('.', '-')}.npy`);
    expect([img.height, img.width, 3]).toEqual(ref.shape);
    expect(maxAbsDiff(img.data, ref.data)).toBe(0);
  });
});

describe('decodeRgb on DICOM', () => {
  it('rounds the [0, 1] grey image to 8 bits and repeats it', async () => {
    const file = fixture('dicom-mono2-u16-window.dcm');
    const [rgb, grey] = await Promise.all([decodeRgb(file), decodeGrey(file)]);
    expect(rgb.width * rgb.height).toBe(grey.data.length);
    for (let i = 0; i < grey.data.length; i += 97) {
      const level = Math.round(255 * grey.data[i]!);
      expect(Array.from(rgb.data.subarray(3 * i, 3 * i + 3))).toEqual([level, level, level]);
    }
  });
});

describe('toRgb', () => {
  it('follows PIL on hand-made pixels: grey repeated, alpha dropped, 16-bit colour by its high byte, 16-bit grey clipped', () => {
    expect(Array.from(toRgb({ kind: 'u8', width: 1, height: 1, channels: 1, data: Uint8Array.of(7) }).data)).toEqual([7, 7, 7]);
    expect(Array.from(toRgb({ kind: 'u8', width: 1, height: 1, channels: 4, data: Uint8Array.of(1, 2, 3, 0) }).data)).toEqual([1, 2, 3]);
    expect(Array.from(toRgb({ kind: 'u16', width: 1, height: 1, channels: 3, data: Uint16Array.of(0x1234, 0xff00, 0x00ff) }).data)).toEqual([0x12, 0xff, 0]);
    expect(Array.from(toRgb({ kind: 'u16', width: 2, height: 1, channels: 1, data: Uint16Array.of(200, 4000) }).data)).toEqual([200, 200, 200, 255, 255, 255]);
  });
});

describe('decodeRgb errors', () => {
  it("are decodeGrey's: one line naming the file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'envision-rgb-')), 'x.png');
    writeFileSync(file, 'not an image');
    await expect(decodeRgb(file)).rejects.toMatchObject({ code: 'E_IMAGE', message: `cannot read image ${file}: not an image (or a format sharp cannot decode)` });
    await expect(decodeRgb(fixture('decode-rgb.png'), { limitInputPixels: 10 })).rejects.toMatchObject({ code: 'E_IMAGE', message: expect.stringContaining('over the limit of 10') });
  });
});

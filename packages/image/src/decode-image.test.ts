import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, fixtureNpy, maxAbsDiff } from './test-fixtures.test-support.js';
import { decodeGrey } from './decode-image.js';

describe('decodeGrey matches PIL convert("L") on 8-bit files', () => {
  it.each([
    ['decode-rgb.png', 'decode-rgb.npy'],
    ['decode-rgb.jpg', 'decode-rgb-jpg.npy'],
    ['decode-grey.jpg', 'decode-grey-jpg.npy'],
    ['decode-grey-30x47.png', undefined],
  ])('%s', async (file, ref) => {
    const img = await decodeGrey(fixture(file));
    expect(img.bitDepth).toBe(8);
    if (ref === undefined) {
      expect([img.width, img.height]).toEqual([30, 47]);
      return;
    }
    expect([img.width, img.height]).toEqual([24, 18]);
    expect(maxAbsDiff(img.data, (await fixtureNpy(ref)).data)).toBe(0);
  });
});

describe('decodeGrey flattens alpha onto black', () => {
  it.each([
    ['decode-rgba.png', 'decode-rgba.npy'],
    ['decode-la.png', 'decode-la.npy'],
  ])('%s as PIL pastes it with its alpha as mask', async (file, ref) => {
    const img = await decodeGrey(fixture(file));
    expect(maxAbsDiff(img.data, (await fixtureNpy(ref)).data)).toBe(0);
    // the first column is fully transparent
    expect(img.data[0]).toBe(0);
  });
});

describe('decodeGrey scales 16-bit files by 65535', () => {
  it.each([
    ['decode-grey16.png', 'decode-grey16.npy'],
    ['decode-la16.png', 'decode-la16.npy'],
    ['decode-rgb16.png', 'decode-rgb16.npy'],
  ])('%s', async (file, ref) => {
    const img = await decodeGrey(fixture(file));
    expect(img.bitDepth).toBe(16);
    expect(img.data).toBeInstanceOf(Float32Array);
    expect(maxAbsDiff(img.data, (await fixtureNpy(ref)).data)).toBe(0);
  });
});

describe('decodeGrey errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medclip-decode-'));

  async function messageOf(file: string, limit?: number): Promise<string> {
    try {
      await decodeGrey(file, limit === undefined ? {} : { limitInputPixels: limit });
    } catch (e) {
      expect((e as { code: string }).code).toBe('E_IMAGE');
      expect((e as Error).message).not.toContain('\n');
      return (e as Error).message;
    }
    throw new Error('expected an error');
  }

  it('names a missing file', async () => {
    const file = join(dir, 'missing.png');
    expect(await messageOf(file)).toBe(`cannot read image ${file}: no such file`);
  });

  it('names a folder', async () => {
    expect(await messageOf(dir)).toBe(`cannot read image ${dir}: not a file`);
  });

  it('names a file that is not an image', async () => {
    const file = join(dir, 'notes.png');
    writeFileSync(file, 'hello\n');
    expect(await messageOf(file)).toBe(`cannot read image ${file}: not an image (or a format sharp cannot decode)`);
  });

  it.each(['decode-rgb.png', 'decode-rgb.jpg', 'decode-rgb-50x40.png'])('names a truncated %s', async (name) => {
    const bytes = readFileSync(fixture(name));
    const file = join(dir, `truncated-${name}`);
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect(await messageOf(file)).toMatch(new RegExp(`^cannot read image ${file}: corrupt or truncated image: `));
  });

  it('enforces the pixel limit with the size in the message', async () => {
    const file = join(dir, 'wide.png');
    copyFileSync(fixture('decode-rgb-50x40.png'), file);
    expect(await messageOf(file, 1000)).toBe(`cannot read image ${file}: image is 50×40 = 2000 pixels, over the limit of 1000 (option limitInputPixels)`);
    expect((await decodeGrey(file, { limitInputPixels: 2000 })).width).toBe(50);
  });
});

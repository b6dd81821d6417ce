import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, fixtureNpy, maxAbsDiff } from './test-fixtures.test-support.js';
import { applyWindow, decodeDicomBytes, isDicom, readTransferSyntax } from './decode-dicom.js';
import { decodeGrey } from './decode-image.js';

// Files and references written by scripts/make_dicom_reference.py with pydicom (its LUT functions give the
// expected [0, 1] images; *-raw.npy are the stored values).
const CASES = [
  'mono2-u16-window',
  'mono1-u16-window',
  'mono2-u8-implicit',
  'mono1-s16-nowindow',
  'mono2-s12-deflated',
  'mono2-u16-sigmoid-bigendian',
  'rgb8',
  'mono2-u12-highbits',
  'mono2-s12-unextended',
] as const;

describe('decodeDicomBytes against pydicom’s modality and VOI LUT functions', () => {
  it.each(CASES)('%s', async (name) => {
    const img = decodeDicomBytes(readFileSync(fixture(`dicom-${name}.dcm`)), name);
    expect([img.width, img.height]).toEqual([64, 48]);
    expect(maxAbsDiff(img.data, (await fixtureNpy(`dicom-${name}.npy`)).data)).toBeLessThan(1e-6);
  });
});

describe('decodeDicomBytes against the formulas applied here to the stored values', () => {
  /** PS3.3 C.11.2.1.2.1, written out for y in [0, 1]. */
  function linear(x: number, c: number, w: number): number {
    if (x <= c - 0.5 - (w - 1) / 2) return 0;
    if (x > c - 0.5 + (w - 1) / 2) return 1;
    return (x - (c - 0.5)) / (w - 1) + 0.5;
  }

  it('MONOCHROME2: rescale 2·x − 1024, LINEAR window 3000/4000', async () => {
    const raw = (await fixtureNpy('dicom-mono2-u16-window-raw.npy')).data;
    const img = decodeDicomBytes(readFileSync(fixture('dicom-mono2-u16-window.dcm')), 'f');
    expect(maxAbsDiff(img.data, Array.from(raw, (v) => linear(2 * v - 1024, 3000, 4000)))).toBeLessThan(1e-6);
    expect(img.info).toMatchObject({ transferSyntax: '1.2.840.10008.1.2.1', bitsStored: 12, rescale: { slope: 2, intercept: -1024 }, window: { center: 3000, width: 4000, fn: 'LINEAR' } });
  });

  it('MONOCHROME1 is the inverse of MONOCHROME2 after the window', () => {
    const m1 = decodeDicomBytes(readFileSync(fixture('dicom-mono1-u16-window.dcm')), 'f');
    const m2 = decodeDicomBytes(readFileSync(fixture('dicom-mono2-u16-window.dcm')), 'f');
    expect(maxAbsDiff(m1.data, Array.from(m2.data, (v) => 1 - v))).toBeLessThan(1e-7);
  });

  it('no window: min–max of the rescaled values, then MONOCHROME1 inverted', async () => {
    const raw = Array.from((await fixtureNpy('dicom-mono1-s16-nowindow-raw.npy')).data, (v) => 0.5 * v + 100);
    const lo = Math.min(...raw);
    const hi = Math.max(...raw);
    const img = decodeDicomBytes(readFileSync(fixture('dicom-mono1-s16-nowindow.dcm')), 'f');
    expect(img.info.signed).toBe(true);
    expect(img.info.window).toBeUndefined();
    expect(maxAbsDiff(img.data, raw.map((v) => 1 - (v - lo) / (hi - lo)))).toBeLessThan(1e-6);
  });

  it('reads the first of two frames (8-bit, implicit VR)', async () => {
    const raw = Array.from((await fixtureNpy('dicom-mono2-u8-implicit-raw.npy')).data);
    const img = decodeDicomBytes(readFileSync(fixture('dicom-mono2-u8-implicit.dcm')), 'f');
    expect(img.info.frames).toBe(2);
    const lo = Math.min(...raw);
    const hi = Math.max(...raw);
    expect(maxAbsDiff(img.data, raw.map((v) => (v - lo) / (hi - lo)))).toBeLessThan(1e-6);
  });

  it('masks bits above High Bit and sign-extends signed values', async () => {
    const u = decodeDicomBytes(readFileSync(fixture('dicom-mono2-u12-highbits.dcm')), 'f');
    const raw = (await fixtureNpy('dicom-mono2-u12-highbits-raw.npy')).data;
    expect(maxAbsDiff(u.data, Array.from(raw, (v) => linear(v, 2048, 4096)))).toBeLessThan(1e-6);
    // the same signed values, written sign-extended (deflated file) and not (this one), give the same image
    const s = decodeDicomBytes(readFileSync(fixture('dicom-mono2-s12-unextended.dcm')), 'f');
    expect(Math.min(...((await fixtureNpy('dicom-mono2-s12-unextended-raw.npy')).data))).toBeLessThan(0);
    expect(maxAbsDiff(s.data, (await fixtureNpy('dicom-mono2-s12-unextended.npy')).data)).toBeLessThan(1e-6);
  });
});

describe('applyWindow (PS3.3 C.11.2.1.2–3, y in [0, 1])', () => {
  it('LINEAR: c − 0.5 ± (w − 1)/2, below inclusive, above exclusive', () => {
    expect(applyWindow(0, 2048, 4096, 'LINEAR')).toBe(0);
    expect(applyWindow(2047.5, 2048, 4096, 'LINEAR')).toBe(0.5);
    expect(applyWindow(4095, 2048, 4096, 'LINEAR')).toBe(1);
    expect(applyWindow(4094, 2048, 4096, 'LINEAR')).toBeCloseTo(1 - 1 / 4095, 12);
    // width 1: a threshold at c − 0.5
    expect(applyWindow(99.5, 100, 1, 'LINEAR')).toBe(0);
    expect(applyWindow(99.6, 100, 1, 'LINEAR')).toBe(1);
  });

  it('LINEAR_EXACT and SIGMOID', () => {
    expect(applyWindow(100, 100, 50, 'LINEAR_EXACT')).toBe(0.5);
    expect(applyWindow(75, 100, 50, 'LINEAR_EXACT')).toBe(0);
    expect(applyWindow(120, 100, 50, 'LINEAR_EXACT')).toBeCloseTo(0.9, 12);
    expect(applyWindow(100, 100, 50, 'SIGMOID')).toBe(0.5);
    expect(applyWindow(150, 100, 50, 'SIGMOID')).toBeCloseTo(1 / (1 + Math.exp(-4)), 12);
  });
});

describe('errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'envision-dicom-'));

  it('names a compressed transfer syntax by UID and name', async () => {
    const file = fixture('dicom-jpeg-baseline.dcm');
    expect(readTransferSyntax(readFileSync(file))).toBe('1.2.840.10008.1.2.4.50');
    await expect(decodeGrey(file)).rejects.toMatchObject({
      code: 'E_IMAGE',
      message:
        `cannot read image ${file}: DICOM transfer syntax 1.2.840.10008.1.2.4.50 (JPEG Baseline (Process 1), a compressed transfer syntax) ` +
        'is not supported; decompress it first (for example dcmdjpeg, dcmdrle or gdcmconv --raw)',
    });
  });

  it('names an unknown transfer syntax', () => {
    const bytes = Uint8Array.from(readFileSync(fixture('dicom-jpeg-baseline.dcm')));
    const text = Buffer.from(bytes).toString('latin1');
    const at = text.indexOf('1.2.840.10008.1.2.4.50');
    bytes.set(Buffer.from('1.2.840.10008.1.2.4.59'), at);
    expect(() => decodeDicomBytes(bytes, 'x.dcm')).toThrow('DICOM transfer syntax 1.2.840.10008.1.2.4.59 (an unknown transfer syntax) is not supported');
  });

  it('refuses a truncated file in one line', async () => {
    const bytes = readFileSync(fixture('dicom-mono2-u16-window.dcm'));
    const file = join(dir, 'cut.dcm');
    writeFileSync(file, bytes.subarray(0, bytes.length - 1000));
    const e = (await decodeGrey(file).then(
      () => undefined,
      (x: unknown) => x,
    )) as Error & { code: string };
    expect(e).toMatchObject({ code: 'E_IMAGE' });
    expect(e.message).toMatch(/^cannot read image .*cut\.dcm: /);
    expect(e.message).not.toContain('\n');
  });

  it('names the element a truncated file cuts (dcmjs itself would zero-fill it), deflated or not', () => {
    for (const name of ['mono2-u16-window', 'mono2-u8-implicit', 'mono2-s12-deflated']) {
      const bytes = readFileSync(fixture(`dicom-${name}.dcm`));
      expect(() => decodeDicomBytes(bytes.subarray(0, bytes.length - 1000), 'cut.dcm')).toThrow(
        new RegExp(`^cannot read image cut\\.dcm: truncated or corrupt DICOM file: element \\(7FE0,0010\\) declares 6144 bytes at byte \\d+, the data ends at \\d+$`),
      );
    }
  });

  it('names a .dcm file without the Part-10 header', async () => {
    const file = join(dir, 'bare.dcm');
    writeFileSync(file, Buffer.alloc(300));
    await expect(decodeGrey(file)).rejects.toThrow(/not a DICOM Part-10 file \(no 'DICM' after the 128-byte preamble/);
  });

  it('applies the pixel limit', async () => {
    await expect(decodeGrey(fixture('dicom-rgb8.dcm'), { limitInputPixels: 100 })).rejects.toThrow(
      'image is 64×48 = 3072 pixels, over the limit of 100 (option limitInputPixels)',
    );
  });

  it('recognises DICOM by content, not by name', async () => {
    const file = join(dir, 'image.png');
    writeFileSync(file, readFileSync(fixture('dicom-mono2-u16-window.dcm')));
    expect((await decodeGrey(file)).bitDepth).toBe('float');
    expect(isDicom(new Uint8Array(10))).toBe(false);
  });
});

describe('decodeDicomBytes: values that would reach a model as NaN or an empty image are refused in one line', () => {
  /** A copy of an explicit-VR little-endian file with element (group, element)'s value replaced (its length fixed). */
  function withElement(bytes: Uint8Array, group: number, element: number, value: Uint8Array): Uint8Array {
    for (let p = 132; p + 8 <= bytes.length; p++) {
      if (bytes[p] === (group & 0xff) && bytes[p + 1] === group >> 8 && bytes[p + 2] === (element & 0xff) && bytes[p + 3] === element >> 8 && bytes[p + 4]! >= 65 && bytes[p + 4]! <= 90) {
        const length = bytes[p + 6]! | (bytes[p + 7]! << 8);
        const head = Uint8Array.from(bytes.subarray(0, p + 8));
        head[p + 6] = value.length & 0xff;
        head[p + 7] = value.length >> 8;
        return Uint8Array.from([...head, ...value, ...bytes.subarray(p + 8 + length)]);
      }
    }
    throw new Error(`no element (${group.toString(16)},${element.toString(16)})`);
  }
  const ds = (text: string) => new TextEncoder().encode(text.length % 2 ? `${text} ` : text);
  const us = (v: number) => Uint8Array.of(v & 0xff, v >> 8);
  const file = () => new Uint8Array(readFileSync(fixture('dicom-mono2-u16-window.dcm')));

  it('the fixture edit itself decodes (the helper changes only what it is asked)', () => {
    const img = decodeDicomBytes(withElement(file(), 0x0028, 0x1053, ds('2')), 'f');
    expect(img.info.rescale.slope).toBe(2);
    expect(decodeDicomBytes(withElement(file(), 0x0028, 0x1053, ds('3')), 'f').info.rescale.slope).toBe(3);
  });
  it.each([
    ['Rescale Slope 1e308', 0x1053, ds('1e308'), /DICOM Rescale Slope 1e\+308 \/ Intercept -1024 make the pixel values overflow \(not finite\)/],
    ['Rescale Slope -5e307', 0x1053, ds('-5e307'), /DICOM Rescale Slope -5e\+307 \/ Intercept -1024 make the pixel values overflow \(not finite\)/],
    ['Rows 0', 0x0010, us(0), /DICOM Rows 0 \/ Columns 64: an image needs at least one row and one column/],
    ['Columns 0', 0x0011, us(0), /DICOM Rows 48 \/ Columns 0: an image needs/],
  ])('%s', (_label, element, value, message) => {
    expect(() => decodeDicomBytes(withElement(file(), 0x0028, element as number, value as Uint8Array), 'f.dcm')).toThrow(message as RegExp);
  });
});

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { imageFixture, imageFixtureNpy, maxAbsDiff } from './test-fixtures.test-support.js';
import { preprocessGrey, preprocessImage } from './preprocess.js';

// The DICOM files and their pydicom references belong to @envision/image (packages/image/test-fixtures).
const MEAN = 0.5862785803043838;
const STD = 0.27950088968644304;

// Every uncompressed DICOM file of the image package's fixtures (the JPEG one is there to be refused).
const CASES = readdirSync(imageFixture('.'))
  .filter((f) => /^dicom-.*\.dcm$/.test(f) && f !== 'dicom-jpeg-baseline.dcm')
  .map((f) => f.slice('dicom-'.length, -'.dcm'.length));

describe('preprocessImage on DICOM: the PNG float path from the reference image, within one grey level', () => {
  it('finds the nine DICOM cases', () => expect(CASES).toHaveLength(9));

  it.each(CASES)('%s at size 32 (downscaled), bicubic and bilinear', async (name) => {
    const ref = (await imageFixtureNpy(`dicom-${name}.npy`)).data;
    for (const resample of ['bicubic', 'bilinear'] as const) {
      const options = { size: 32, mean: MEAN, std: STD, resample, channels: 3 };
      const got = await preprocessImage(imageFixture(`dicom-${name}.dcm`), options);
      const expected = preprocessGrey({ bitDepth: 'float', width: 64, height: 48, data: ref }, options);
      expect(got.shape).toEqual([1, 3, 32, 32]);
      // in grey levels: normalised difference × std × 255
      expect(maxAbsDiff(got.data, expected.data) * STD * 255).toBeLessThan(1);
      expect(maxAbsDiff(got.data, expected.data)).toBeLessThan(1e-5);
    }
  });

  it('pads a small image at the default size 224 on black', async () => {
    const got = await preprocessImage(imageFixture('dicom-mono2-u16-window.dcm'), { size: 224, mean: MEAN, std: STD });
    expect(got.shape).toEqual([1, 3, 224, 224]);
    expect(got.data[0]).toBeCloseTo(-MEAN / STD, 5);
    const ref = (await imageFixtureNpy('dicom-mono2-u16-window.npy')).data;
    // pixel (0, 0) of the image sits at (floor((224 − 48)/2), floor((224 − 64)/2)) = (88, 80)
    expect(got.data[88 * 224 + 80]).toBeCloseTo((ref[0]! - MEAN) / STD, 5);
  });
});

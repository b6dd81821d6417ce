import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { CHECK_IMAGE_SIZE, checkImageData, writeCheckImage } from './check-image.js';

describe('the check image', () => {
  it('is written as a 256×256 RGB PNG that decodes to its data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-image-'));
    try {
      const file = await writeCheckImage(dir);
      expect(file).toBe(join(dir, 'check.png'));
      const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([CHECK_IMAGE_SIZE, CHECK_IMAGE_SIZE, 3]);
      expect(Buffer.compare(data, Buffer.from(checkImageData()))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has its ramps and disc, and no constant 2×2 block of grey levels anywhere', () => {
    const rgb = checkImageData();
    const n = CHECK_IMAGE_SIZE;
    const at = (x: number, y: number, ch: number) => rgb[(y * n + x) * 3 + ch]!;
    const mean = (ch: number, x0: number, y0: number) => {
      let s = 0;
      for (let y = y0; y < y0 + 16; y++) for (let x = x0; x < x0 + 16; x++) s += at(x, y, ch);
      return s / 256;
    };
    expect(mean(0, 232, 0) - mean(0, 8, 0)).toBeGreaterThan(150);
    expect(mean(1, 0, 232) - mean(1, 0, 8)).toBeGreaterThan(150);
    expect(mean(2, 120, 120) - mean(2, 0, 0)).toBeGreaterThan(150);
    const grey = (x: number, y: number) => at(x, y, 0) + at(x, y, 1) + at(x, y, 2);
    let constant = 0;
    for (let y = 0; y < n - 1; y++) for (let x = 0; x < n - 1; x++) if (grey(x, y) === grey(x + 1, y) && grey(x, y) === grey(x, y + 1) && grey(x, y) === grey(x + 1, y + 1)) constant++;
    expect(constant).toBe(0);
  });
});

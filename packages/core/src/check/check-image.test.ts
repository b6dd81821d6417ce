import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { CHECK_IMAGE_SIZE, checkImagePixel, writeCheckImage } from './check-image.js';

describe('writeCheckImage', () => {
  it('writes a 32×32 RGB PNG whose decoded pixels are the pattern', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-image-'));
    try {
      const file = await writeCheckImage(dir);
      expect(file).toBe(join(dir, 'check.png'));
      const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      expect([info.format, info.width, info.height, info.channels]).toEqual(['raw', CHECK_IMAGE_SIZE, CHECK_IMAGE_SIZE, 3]);
      for (const [x, y] of [[0, 0], [31, 0], [16, 16], [3, 29]] as const) expect([...data.subarray((y * 32 + x) * 3, (y * 32 + x) * 3 + 3)]).toEqual(checkImagePixel(x, y));
      expect(checkImagePixel(16, 16)[2]).toBe(255);
      expect(checkImagePixel(0, 0)[2]).toBe(40);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

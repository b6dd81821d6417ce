import { describe, expect, it } from 'vitest';
import * as image from './index.js';

describe('package entry point', () => {
  it('exports the decoders (DICOM included), the resampler and the processor steps', () => {
    for (const name of ['decodeGrey', 'decodeRgb', 'decodeDicomBytes', 'resampleU8', 'resampleFloat', 'shortestEdgeSize', 'resizeRgb', 'centerCropRgb', 'normalizeRgb']) {
      expect(typeof (image as Record<string, unknown>)[name]).toBe('function');
    }
  });
});

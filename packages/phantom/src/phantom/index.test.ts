import { describe, it, expect } from 'vitest';
import * as phantom from './index.js';

describe('phantom public API', () => {
  it('exports the generator, the writer, captions and constants', () => {
    for (const name of ['generatePhantom', 'writePhantoms', 'checkPhantomOptions', 'captionsFor', 'normalCaptions', 'phantomClassSlug', 'isPhantomClass', 'deriveSeed']) {
      expect(typeof (phantom as Record<string, unknown>)[name]).toBe('function');
    }
    expect(phantom.PHANTOM_SIZE).toBe(224);
    expect(phantom.MAX_FINDINGS).toBe(2);
    expect(phantom.PHANTOM_INDEX_FORMAT).toBe('envision-phantoms/1');
    expect(phantom.PHANTOM_CLASSES).toHaveLength(7);
  });
});

import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSanityResult, runReportExtras } from './report-extras.js';

describe('runReportExtras', () => {
  it('adds the folder’s sanity.json when it is one, and the class-map similarities of the items', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envision-extras-'));
    try {
      const items = [{ image: 'a', method: 'ig', target: 't', metrics: { classMapSimilarity: 0.5 } }] as never;
      expect(await runReportExtras(dir, { items: [] })).toBeUndefined();
      expect(await runReportExtras(dir, { items })).toEqual({ metrics: { 'a · ig · t': { classMapSimilarity: 0.5 } } });
      writeFileSync(join(dir, 'sanity.json'), '{"format": "something-else/1"}');
      expect(await readSanityResult(dir)).toBeUndefined();
      writeFileSync(join(dir, 'sanity.json'), '{"format": "envision-sanity/1", "methods": []');
      expect(await readSanityResult(dir)).toBeUndefined();
      writeFileSync(join(dir, 'sanity.json'), '{"format": "envision-sanity/1", "methods": []}');
      expect((await runReportExtras(dir, { items: [] }))?.sanity?.format).toBe('envision-sanity/1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

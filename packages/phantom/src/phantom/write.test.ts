import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, it, expect } from 'vitest';
import { EnvisionError } from '@envision/core';
import { generatePhantom } from './generate.js';
import { PHANTOM_INDEX_FORMAT, type PhantomIndex, writePhantoms } from './write.js';

/** Reads a PNG's pixels; `channels` is what the file stores (1 for an 8-bit grayscale PNG). */
async function readGray(path: string): Promise<{ data: Uint8Array; width: number; height: number; channels: number }> {
  const meta = await sharp(path).metadata();
  const { data, info } = await sharp(path).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: meta.channels };
}

async function rejection(p: Promise<unknown>): Promise<EnvisionError> {
  try {
    await p;
  } catch (e) {
    return e as EnvisionError;
  }
  throw new Error('expected a rejection');
}

describe('writePhantoms', () => {
  it('writes images, masks and an index that regenerate exactly', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'envision-phantoms-')), 'set');
    const { index, indexPath } = await writePhantoms({ n: 6, seed: 10, out });
    expect(indexPath).toBe(join(out, 'index.json'));
    const onDisk = JSON.parse(readFileSync(indexPath, 'utf8')) as PhantomIndex;
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(index)));
    expect(onDisk.format).toBe(PHANTOM_INDEX_FORMAT);
    expect([onDisk.seed, onDisk.n, onDisk.size, onDisk.items.length]).toEqual([10, 6, 224, 6]);
    expect(onDisk.options).toBeUndefined();
    // No temporary files are left behind.
    expect(readdirSync(join(out, 'images')).every((f) => /^phantom-\d+\.png$/.test(f))).toBe(true);
    let findings = 0;
    for (const [i, item] of onDisk.items.entries()) {
      expect(item.id).toBe(`phantom-${i}`);
      expect(item.image).toBe(`images/phantom-${i}.png`);
      expect(item.bodyMask).toBe(`masks/phantom-${i}-body.png`);
      expect(item.seed).toBe(10 + i);
      const p = generatePhantom(item.seed);
      const image = await readGray(join(out, item.image));
      expect([image.width, image.height, image.channels]).toEqual([224, 224, 1]);
      expect(Buffer.from(image.data).equals(Buffer.from(p.image))).toBe(true);
      const body = await readGray(join(out, item.bodyMask));
      expect(body.data.every((v, k) => v === (p.bodyMask[k] ? 255 : 0))).toBe(true);
      expect(item.captions).toEqual(p.captions);
      expect(item.labels).toEqual(p.labels);
      item.findings.forEach((f, k) => {
        findings++;
        const g = p.findings[k]!;
        expect([f.class, f.side, f.zone, f.severity, f.subtype, f.box, f.captions]).toEqual([g.class, g.side, g.zone, g.severity, g.subtype, g.box, g.captions]);
        expect(f.mask).toBe(`masks/phantom-${i}-${g.class.toLowerCase().replace(' ', '-')}.png`);
      });
      for (const [k, f] of item.findings.entries()) {
        const mask = await readGray(join(out, f.mask));
        expect(mask.data.every((v, j) => v === (p.findings[k]!.mask[j] ? 255 : 0))).toBe(true);
      }
      expect(item.distractors.map((d) => d.kind)).toEqual(p.distractors.map((d) => d.kind));
      for (const d of item.distractors) expect(existsSync(join(out, d.mask))).toBe(true);
    }
    expect(findings).toBeGreaterThan(0);
  });

  it('records generation options so an item can be regenerated alone', async () => {
    const out = mkdtempSync(join(tmpdir(), 'envision-phantoms-'));
    const { index } = await writePhantoms({ n: 2, out, size: 96, findings: ['Pneumothorax'], distractors: false });
    expect(index.seed).toBe(0);
    expect(index.options).toEqual({ findings: ['Pneumothorax'], distractors: false });
    const item = index.items[1]!;
    const again = generatePhantom(item.seed, { size: index.size, ...index.options });
    const image = await readGray(join(out, item.image));
    expect(Buffer.from(image.data).equals(Buffer.from(again.image))).toBe(true);
    expect(item.findings[0]!.mask).toBe('masks/phantom-1-pneumothorax.png');
  });

  it('rejects a bad count and an unwritable folder with one-line errors, before writing anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envision-phantoms-'));
    const none = await rejection(writePhantoms({ n: 0, out: join(dir, 'a') }));
    expect(none.code).toBe('E_CONFIG');
    expect(none.message).toMatch(/n must be an integer ≥ 1, got 0/);
    expect(existsSync(join(dir, 'a'))).toBe(false);
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    const e = await rejection(writePhantoms({ n: 1, out: join(file, 'set') }));
    expect(e.code).toBe('E_FILE');
    expect(e.message).toMatch(/cannot write to output folder .*file\/set/);
    expect(e.message.split('\n')).toHaveLength(1);
    expect((await rejection(writePhantoms({ n: 1, out: join(dir, 'b'), size: 10 }))).code).toBe('E_CONFIG');
    expect(existsSync(join(dir, 'b'))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { looksLikeZip, openZip } from './zip.js';
import { writeZip } from './zip-write.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('openZip', () => {
  const archive = writeZip([
    { name: 'archive/data.pkl', data: text('stored') },
    { name: 'archive/data/0', data: text('x'.repeat(1000)), deflate: true },
  ]);

  it('reads stored and deflated entries by the central directory', () => {
    expect(looksLikeZip(archive)).toBe(true);
    const zip = openZip(archive, 'a.zip');
    expect(zip.entries.map((e) => [e.name, e.method, e.size])).toEqual([
      ['archive/data.pkl', 0, 6],
      ['archive/data/0', 8, 1000],
    ]);
    expect(new TextDecoder().decode(zip.read(zip.entries[0]!))).toBe('stored');
    expect(new TextDecoder().decode(zip.read(zip.entries[1]!))).toBe('x'.repeat(1000));
  });

  it('reports a truncated archive (E_FILE)', () => {
    expect(() => openZip(archive.subarray(0, archive.length - 30), 'cut.zip')).toThrow(
      expect.objectContaining({ code: 'E_FILE', message: 'cut.zip is not a complete zip archive (no end-of-central-directory record): the file is truncated or corrupt' }),
    );
    expect(() => openZip(new Uint8Array(10), 'tiny.zip')).toThrow('tiny.zip is not a complete zip archive');
  });

  it('reports corrupt data by its CRC (E_FILE)', () => {
    const bad = archive.slice();
    bad[30 + 'archive/data.pkl'.length] ^= 1; // first byte of the stored entry
    const zip = openZip(bad, 'bad.zip');
    expect(() => zip.read(zip.entries[0]!)).toThrow("bad.zip: entry 'archive/data.pkl' fails its CRC-32 check: the archive is corrupt");
  });

  it('refuses a zip bomb before inflating it, and never inflates past the declared size', () => {
    const bomb = writeZip([{ name: 'archive/data/0', data: new Uint8Array(4 << 20), deflate: true }]);
    const zip = openZip(bomb, 'bomb.zip');
    expect(zip.entries[0]!.size).toBe(4 << 20);
    expect(() => zip.read(zip.entries[0]!)).toThrow(/^bomb\.zip: entry 'archive\/data\/0' would inflate \d+ bytes to 4194304 \(more than 200:1\): not a checkpoint/);
    // A directory that understates the size: inflation stops at the declared size and the entry is corrupt.
    const small = writeZip([{ name: 'archive/data/0', data: new Uint8Array(5000), deflate: true }]);
    const lying = openZip(small, 'lying.zip');
    const entry = { ...lying.entries[0]!, size: 100 };
    expect(() => lying.read(entry)).toThrow(/lying\.zip: entry 'archive\/data\/0' cannot be inflated .*: the archive is corrupt/);
  });
});

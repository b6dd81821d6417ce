import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeZip } from './zip-write.js';

describe('writeZip', () => {
  it('writes an archive Python\'s zipfile reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'envision-zip-'));
    try {
      const file = join(dir, 'a.zip');
      writeFileSync(file, writeZip([{ name: 'a/b.txt', data: new TextEncoder().encode('hello') }, { name: 'c', data: new Uint8Array(300).fill(7), deflate: true }]));
      let listing: string;
      try {
        listing = execFileSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); z.testzip(); print([(i.filename, len(z.read(i))) for i in z.infolist()])', file], { encoding: 'utf8' });
      } catch {
        return; // no Python here: nothing to compare with
      }
      expect(listing.trim()).toBe("[('a/b.txt', 5), ('c', 300)]");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

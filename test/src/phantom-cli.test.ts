import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envision } from './cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envision-phantom-cli-'));
});

interface Index {
  format: string;
  seed: number;
  n: number;
  size: number;
  items: { id: string; image: string; seed: number; bodyMask: string; findings: { class: string; mask: string; box: unknown }[]; captions: string[]; distractors: { mask: string }[] }[];
}

describe('envision phantom', () => {
  it('writes N images, their masks and index.json, and prints a one-line summary', () => {
    const out = join(dir, 'set');
    const r = envision(['phantom', '--n', '4', '--seed', '3', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^envision phantom: wrote 4 phantoms \(224×224, seeds 3–6; \d+ findings?, \d+ normal\) and .*index\.json/);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as Index;
    expect([index.format, index.seed, index.n, index.size]).toEqual(['envision-phantoms/1', 3, 4, 224]);
    expect(index.items.map((i) => i.seed)).toEqual([3, 4, 5, 6]);
    for (const item of index.items) {
      for (const file of [item.image, item.bodyMask, ...item.findings.map((f) => f.mask), ...item.distractors.map((d) => d.mask)]) {
        expect(existsSync(join(out, file))).toBe(true);
      }
      expect(item.captions.length).toBeGreaterThan(0);
    }
    expect(readdirSync(join(out, 'images')).sort()).toEqual(['phantom-0.png', 'phantom-1.png', 'phantom-2.png', 'phantom-3.png']);
  });

  it('is reproducible, --size scales, and --json prints the index path', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    expect(envision(['phantom', '--n', '2', '--out', a, '--size', '128']).code).toBe(0);
    const r = envision(['phantom', '--n', '2', '--out', b, '--size', '128', '--json']);
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout) as { index: string; n: number };
    expect(line.index).toBe(join(b, 'index.json'));
    expect(line.n).toBe(2);
    const ia = JSON.parse(readFileSync(join(a, 'index.json'), 'utf8')) as Index;
    expect(ia.seed).toBe(0);
    expect(ia.size).toBe(128);
    expect(readFileSync(join(a, 'index.json'), 'utf8')).toBe(readFileSync(join(b, 'index.json'), 'utf8'));
    for (const item of ia.items) expect(readFileSync(join(a, item.image)).equals(readFileSync(join(b, item.image)))).toBe(true);
  });

  it('rejects --n 0, a missing --out and an unwritable folder with exit 2 and one line', () => {
    for (const [args, message] of [
      [['--n', '0', '--out', join(dir, 'zero')], /--n must be an integer ≥ 1, got '0'/],
      [['--n', 'two', '--out', join(dir, 'two')], /--n must be an integer ≥ 1/],
      [['--n', '2'], /--out is required/],
      [['--n', '2', '--out', join(dir, 'size'), '--size', '16'], /--size must be from 64 to 2048/],
      [['--n', '1', '--out', join(dir, 'x'), '--bogus'], /Unknown option '--bogus'/],
    ] as const) {
      const r = envision(['phantom', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, 'zero'))).toBe(false);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const r = envision(['phantom', '--n', '1', '--out', join(file, 'set')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^envision phantom: cannot write to output folder .*a-file\/set/);
  });

  it('has help', () => {
    const r = envision(['phantom', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: envision phantom --n N --out DIR/);
  });
});

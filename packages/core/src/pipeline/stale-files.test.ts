import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunItem, RunManifest } from '../manifest.js';
import { confinedPath, earlierRunFiles, manifestFiles, removeStaleFiles } from './stale-files.js';

const item = (npy: string, overlays: string[]) => ({ npy, overlays }) as unknown as RunItem;
const manifest = (items: RunItem[], perDimension: string[], figures: string[]) =>
  ({
    format: 'envision-run/1',
    items,
    perDimension: perDimension.map((npy) => ({ image: 'x', method: 'm', npy, milliseconds: 0 })),
    figures: figures.map((png) => ({ image: 'x', target: 't', layout: 'rows-by-methods', png })),
  }) as unknown as RunManifest;

describe('stale run files', () => {
  it('lists every file a manifest names', () => {
    const files = manifestFiles(manifest([item('maps/a.npy', ['overlays/a-0.png', 'overlays/a-1.png'])], ['maps/a-dims.npy'], ['figures/a.png']));
    expect([...files].sort()).toEqual(['figures/a.png', 'maps/a-dims.npy', 'maps/a.npy', 'overlays/a-0.png', 'overlays/a-1.png']);
  });

  it("deletes the earlier run's files the new run did not write again, and nothing outside the run folder", async () => {
    const root = mkdtempSync(join(tmpdir(), 'envision-stale-'));
    const dir = join(root, 'run');
    mkdirSync(join(dir, 'maps'), { recursive: true });
    for (const f of ['maps/old.npy', 'maps/kept.npy', 'maps/user-notes.txt']) writeFileSync(join(dir, f), 'x');
    writeFileSync(join(root, 'outside.txt'), 'x');
    writeFileSync(join(root, 'absolute.txt'), 'x');
    const earlier = manifest([item('maps/old.npy', []), item('maps/kept.npy', ['../outside.txt', join(root, 'absolute.txt')])], [], []);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(earlier));
    const files = await earlierRunFiles(dir);
    expect(files.has('maps/old.npy')).toBe(true);
    const removed = await removeStaleFiles(dir, files, manifestFiles(manifest([item('maps/kept.npy', [])], [], [])));
    expect(removed).toEqual(['maps/old.npy']);
    expect(readdirSync(join(dir, 'maps')).sort()).toEqual(['kept.npy', 'user-notes.txt']);
    expect(existsSync(join(root, 'outside.txt'))).toBe(true);
    expect(existsSync(join(root, 'absolute.txt'))).toBe(true);
  });

  it('finds no earlier files when there is no manifest, or it is not a run manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envision-stale-'));
    expect((await earlierRunFiles(dir)).size).toBe(0);
    writeFileSync(join(dir, 'manifest.json'), '{"format": "something-else", "items": [{"npy": "a.npy", "overlays": []}]}');
    expect((await earlierRunFiles(dir)).size).toBe(0);
    writeFileSync(join(dir, 'manifest.json'), '{ not json');
    expect((await earlierRunFiles(dir)).size).toBe(0);
  });

  it('does not follow a symbolic link out of the run folder, and skips a folder a manifest lists (no EISDIR)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'envision-stale-'));
    const dir = join(root, 'run');
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(join(dir, 'maps'), { recursive: true });
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'file'), 'precious');
    symlinkSync(elsewhere, join(dir, 'esc'));
    writeFileSync(join(dir, 'maps', 'old.npy'), 'x');
    const earlier = manifestFiles(manifest([item('esc/file', ['maps', 'maps/old.npy'])], [], []));
    expect(await removeStaleFiles(dir, earlier, new Set())).toEqual(['maps/old.npy']);
    expect(existsSync(join(elsewhere, 'file'))).toBe(true);
    expect(existsSync(join(dir, 'maps'))).toBe(true);
  });
});

describe('confinedPath', () => {
  it('gives the path inside the run folder, through folders that do not exist yet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envision-confined-'));
    expect(await confinedPath(dir, 'img/saliency/t.npy')).toBe(join(dir, 'img/saliency/t.npy'));
    mkdirSync(join(dir, 'img'));
    expect(await confinedPath(dir, 'img/saliency/t.npy')).toBe(join(dir, 'img/saliency/t.npy'));
  });

  it('refuses a path that a symbolic link left in the folder would carry outside it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'envision-confined-'));
    mkdirSync(join(root, 'run'));
    mkdirSync(join(root, 'elsewhere'));
    symlinkSync(join(root, 'elsewhere'), join(root, 'run', 'img'));
    await expect(confinedPath(join(root, 'run'), 'img/saliency/t.npy')).rejects.toThrow(/run\/img\/saliency\/t\.npy would be written outside the output folder .*run \(.*run\/img leads to .*elsewhere\); remove that link$/);
    expect(readdirSync(join(root, 'elsewhere'))).toEqual([]);
  });
});

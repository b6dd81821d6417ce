import { lstat, readFile, readdir, realpath, rm, rmdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { EnvisionError } from '@envision/onnx-grad';
import type { RunManifest } from '../manifest.js';
import { PREVIOUS_MANIFEST } from './run-lock.js';

/** True when a path relative to a folder leaves it (`..`, or absolute). */
const outside = (rel: string): boolean => rel.startsWith('..') || isAbsolute(rel);

/**
 * The files a run manifest lists (maps, overlays, per-dimension stores, figures), relative to the run folder.
 * @param manifest - a run manifest
 * @returns the relative paths
 */
export function manifestFiles(manifest: Pick<RunManifest, 'items' | 'perDimension' | 'figures'>): Set<string> {
  return new Set([
    ...manifest.items.flatMap((item) => [item.npy, ...item.overlays]),
    ...manifest.perDimension.map((p) => p.npy),
    ...manifest.figures.map((f) => f.png),
  ]);
}

/**
 * The files earlier runs in `runDir` wrote, from its `manifest.json` and from the manifest a re-run moved aside
 * (`.envision-previous-manifest.json`, kept when that re-run was interrupted); empty when there is none or it cannot
 * be read as a run manifest (the folder is then left as it is).
 * @param runDir - the run folder
 * @returns the relative paths
 */
export async function earlierRunFiles(runDir: string): Promise<Set<string>> {
  const files = new Set<string>();
  for (const name of ['manifest.json', PREVIOUS_MANIFEST]) {
    try {
      const manifest = JSON.parse(await readFile(join(runDir, name), 'utf8')) as RunManifest;
      if (manifest.format === 'envision-run/1') for (const f of manifestFiles(manifest)) files.add(f);
    } catch {
      // no such manifest, or not one: nothing to clean up from it
    }
  }
  return files;
}

/**
 * Deletes the files an earlier run wrote that the new run did not write again, so the folder holds one run. Only
 * files inside `runDir` are touched, whatever the earlier manifest says: a path that leaves the folder, lexically or
 * through a symbolic link to a folder elsewhere, is skipped, and so is anything that is not a file (a folder listed
 * in a hand-edited manifest).
 * @param runDir - the run folder
 * @param earlier - the earlier run's files ({@link earlierRunFiles})
 * @param current - the new run's files ({@link manifestFiles})
 * @returns the paths deleted, relative to the run folder
 */
export async function removeStaleFiles(runDir: string, earlier: ReadonlySet<string>, current: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  const root = await realpath(runDir);
  for (const path of earlier) {
    if (current.has(path)) continue;
    const inside = relative(resolve(runDir), resolve(runDir, path));
    if (inside === '' || outside(inside)) continue;
    const target = join(runDir, inside);
    // The folder holding the file, with every link resolved, must still be inside the run folder.
    const parent = await realpath(dirname(target)).catch(() => undefined);
    if (parent === undefined || outside(relative(root, parent))) continue;
    const stats = await lstat(target).catch(() => undefined);
    if (stats === undefined || !(stats.isFile() || stats.isSymbolicLink())) continue;
    await rm(target, { force: true });
    removed.push(path);
  }
  return removed.sort();
}

/**
 * Takes back what a run that failed on bad input wrote: the files, then the folders under `runDir` that they leave
 * empty (deepest first), so that exit 2 leaves no partial output.
 * @param runDir - the run folder
 * @param written - the files the run wrote, relative to the run folder
 */
export async function removeWritten(runDir: string, written: ReadonlySet<string>): Promise<void> {
  const folders = new Set<string>();
  for (const path of written) {
    await rm(join(runDir, path), { force: true });
    for (let d = dirname(path); d !== '.' && d !== '' && d !== '/'; d = dirname(d)) folders.add(d);
  }
  for (const d of [...folders].sort((a, b) => b.length - a.length)) {
    const full = join(runDir, d);
    if ((await readdir(full).catch(() => ['?'])).length === 0) await rmdir(full).catch(() => undefined);
  }
}

/**
 * The path of a file a run writes, checked to stay inside the run folder: the nearest folder on its way that already
 * exists, with every symbolic link resolved, must be the run folder or inside it (a link `IMAGE -> /elsewhere` left
 * in the folder would otherwise carry the run's files out of it).
 * @param runDir - the run folder (it exists)
 * @param relativePath - the file, relative to the run folder
 * @returns `runDir` joined with `relativePath`
 * @throws EnvisionError `E_FILE` naming the file and the link that leads out
 */
export async function confinedPath(runDir: string, relativePath: string): Promise<string> {
  const target = join(runDir, relativePath);
  const root = await realpath(runDir);
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    const real = await realpath(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' && dir !== dirname(dir)) return undefined;
      throw e;
    });
    if (real === undefined) continue;
    const inside = relative(root, real);
    if (outside(inside)) {
      throw new EnvisionError('E_FILE', `${target} would be written outside the output folder ${runDir} (${dir} leads to ${real}); remove that link`);
    }
    return target;
  }
}

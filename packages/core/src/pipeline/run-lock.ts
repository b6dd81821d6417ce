import { hostname } from 'node:os';
import { mkdir, open, readFile, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvisionError, describeCause } from '@envision/onnx-grad';

/** The lock file a run keeps in its output folder while it runs. */
export const LOCK_FILE = '.envision-run.lock';
/** Where a re-run keeps the earlier run's manifest until its own is written. */
export const PREVIOUS_MANIFEST = '.envision-previous-manifest.json';

/** What a lock file says: who holds the folder and since when. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

/** True when process `pid` exists on this machine (signal 0 tests without sending). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A run's hold on its output folder; {@link RunLock.release} gives it back. */
export interface RunLock {
  /** Removes the lock file, and the folder itself when the run created it and left nothing in it. */
  release(): Promise<void>;
}

/**
 * Takes the output folder for one run: creates it when needed and a lock file in it holding this process's pid, written
 * with exclusive create so that two runs cannot both take it. A lock left by a process that no longer exists (on this
 * machine) is taken over; a live one is refused. Then the earlier run's `manifest.json`, if any, is moved aside, so
 * that an interrupted re-run never leaves a manifest describing other data.
 * @param out - the output folder
 * @param options - `keepManifest: true` leaves the earlier manifest in place (a sanity check adds files to a run's
 *   folder without replacing the run)
 * @returns the lock
 * @throws EnvisionError `E_FILE` naming the folder and the run that holds it, or when the folder cannot be written
 */
export async function lockRunFolder(out: string, options: { keepManifest?: boolean } = {}): Promise<RunLock> {
  const created = await mkdir(out, { recursive: true }).catch((e: unknown) => {
    throw new EnvisionError('E_FILE', `cannot write to output folder ${out}: ${describeCause(e)}`, e);
  });
  const file = join(out, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${JSON.stringify(owner)}\n`);
      await handle.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        throw new EnvisionError('E_FILE', (e as NodeJS.ErrnoException).code === 'EEXIST' ? `${out} is being written by another run (its lock ${LOCK_FILE} came back)` : `cannot lock the output folder ${out}: ${describeCause(e)}`, e);
      }
      let held: Partial<LockOwner> = {};
      try {
        held = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
      } catch {
        // an unreadable or half-written lock: treated as held by a live run only if it is fresh (below)
      }
      const pid = held.pid;
      const sameHost = held.host === undefined || held.host === hostname();
      if (!Number.isInteger(pid) || !sameHost || alive(pid!)) {
        throw new EnvisionError(
          'E_FILE',
          `${out} is being written by another run (pid ${pid ?? '?'}${held.host && !sameHost ? ` on ${held.host}` : ''}, since ${held.since ?? '?'}); wait for it, or choose another output.dir (a stale lock: delete ${file})`,
        );
      }
      await rm(file, { force: true }); // its run is gone: take the folder over
    }
  }
  if (options.keepManifest !== true) await moveManifestAside(out);
  return {
    async release() {
      await rm(file, { force: true });
      if (created !== undefined && (await readdir(out)).length === 0) await rmdir(out).catch(() => undefined);
    },
  };
}

/**
 * Moves a run folder's `manifest.json` aside (to `.envision-previous-manifest.json`), so that an interrupted re-run
 * never leaves a manifest describing other data; the new run deletes it once its own manifest is written.
 * @param out - the run folder (locked)
 * @throws EnvisionError `E_FILE` when the manifest cannot be moved
 */
export async function moveManifestAside(out: string): Promise<void> {
  await rename(join(out, 'manifest.json'), join(out, PREVIOUS_MANIFEST)).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new EnvisionError('E_FILE', `cannot move ${join(out, 'manifest.json')} aside: ${describeCause(e)}`, e);
  });
}

/** The temporary files of `writeFileAtomic`: `.NAME.PID.RANDOM.tmp`. */
const TEMP_FILE = /^\..+\.\d+\.[a-z0-9]*\.tmp$/;

/**
 * Deletes the temporary files a killed writer left in a run folder (`.NAME.PID.RANDOM.tmp`, beside the file it was
 * writing). The caller holds the folder's lock, so no live run is writing them. Symbolic links are not followed.
 * @param out - the run folder (locked)
 * @returns how many were deleted
 */
export async function removeTempFiles(out: string): Promise<number> {
  let removed = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && TEMP_FILE.test(entry.name)) {
        await rm(path, { force: true });
        removed++;
      }
    }
  };
  await walk(out);
  return removed;
}

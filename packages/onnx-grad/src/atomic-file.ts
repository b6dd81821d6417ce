import { lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { EnvisionError, describeCause } from './errors.js';

/**
 * Refuses a write target that exists and is not a regular file — a folder, a symbolic link, a device (`/dev/full`) or
 * a FIFO — which writing through a temporary file and a rename would replace.
 * @throws EnvisionError `E_FILE` naming the path
 */
export async function checkRegularTarget(path: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing !== undefined && !existing.isFile()) {
    const what = existing.isDirectory() ? 'a folder' : existing.isSymbolicLink() ? 'a symbolic link' : 'not a regular file (a device or FIFO)';
    throw new EnvisionError('E_FILE', `cannot write ${path}: it is ${what}; give a path to a new or regular file`);
  }
}

/**
 * Writes a file atomically: the bytes go to a temporary file beside the target, which is then renamed over it,
 * so a reader (or an interrupted run) only ever sees a whole file. Creates the parent folder.
 *
 * @param path - destination file
 * @param data - the bytes or text to write
 * @throws EnvisionError `E_FILE` naming the path when the folder or file cannot be written, or when the path is not
 *   a regular file (see {@link checkRegularTarget})
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await checkRegularTarget(path);
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new EnvisionError('E_FILE', `cannot write ${path}: ${describeCause(e)}`, e);
  }
}

import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { EnvisionError, describeCause } from './errors.js';

/**
 * Writes a file atomically: the bytes go to a temporary file beside the target, which is then renamed over it,
 * so a reader (or an interrupted run) only ever sees a whole file. Creates the parent folder.
 *
 * @param path - destination file
 * @param data - the bytes or text to write
 * @throws EnvisionError `E_FILE` naming the path when the folder or file cannot be written
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
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

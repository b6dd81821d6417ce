import { access, constants, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EnvisionError, checkRegularTarget, describeCause } from '@envision/core';

/**
 * Checks, before any long computation, that a file can be written at `path`: its folder exists (or can be created)
 * and is writable, and the path is not a folder, link, device or FIFO.
 * @throws EnvisionError `E_FILE` naming the path
 */
export async function ensureWritableFile(path: string): Promise<void> {
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (e) {
    throw new EnvisionError('E_FILE', `cannot write ${path}: folder ${dir} is not writable (${describeCause(e)})`, e);
  }
  await checkRegularTarget(path);
}

/** Like {@link ensureWritableFile} for an output folder. */
export async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (e) {
    throw new EnvisionError('E_FILE', `cannot write to output folder ${dir}: ${describeCause(e)}`, e);
  }
}

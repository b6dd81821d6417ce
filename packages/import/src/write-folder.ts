import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { EnvisionError, describeCause, isEnvisionError } from '@envision/core';

/** A file's contents: bytes, text, or byte chunks whose concatenation is the file. */
export type FileContents = Uint8Array | string | readonly Uint8Array[];

/**
 * Writes a new folder whole or not at all: the files go into a hidden sibling folder, which is renamed to `out` at
 * the end (removed on any failure), so a reader never sees half a model.
 * @param out - the folder to create; it must not exist
 * @param files - relative path (with `/` for subfolders) → contents (bytes, text, or chunks written one after the
 *   other, e.g. an ONNX file from `encodeModelChunks`), or a function making them when they are written
 * @throws EnvisionError `E_FILE` when `out` exists or a file cannot be written
 */
export async function writeFolderAtomic(out: string, files: Readonly<Record<string, FileContents | (() => FileContents | Promise<FileContents>)>>): Promise<string> {
  const target = resolve(out);
  const exists = await stat(target).then(() => true, () => false);
  if (exists) throw new EnvisionError('E_FILE', `${out} already exists; choose a new folder`);
  const parent = await stat(dirname(target)).then((s) => s.isDirectory(), () => false);
  if (!parent) throw new EnvisionError('E_FILE', `cannot write ${out}: the folder ${dirname(target)} does not exist`);
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(tmp);
    for (const [path, data] of Object.entries(files)) {
      await mkdir(dirname(join(tmp, path)), { recursive: true });
      // A function makes its contents only when written, so large files need not all be in memory at once.
      await writeFile(join(tmp, path), typeof data === 'function' ? await data() : data);
    }
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    if (isEnvisionError(e)) throw e; // a file's contents could not be made (a bad checkpoint): said as it was
    throw new EnvisionError('E_FILE', `cannot write ${out}: ${describeCause(e)}`, e);
  }
  return target;
}

import { readFile } from 'node:fs/promises';
import { EnvisionError, describeCause } from '@envision/core';
import { type StateDict, readTorchCheckpoint } from './torch.js';

export { type StateDict, type StateDictTensor, readTorchCheckpoint, materialise } from './torch.js';
export { unpickle, STORAGE_TYPES, type PyValue, type PyDict, type PyTuple, type PyGlobal, type StorageRef, type TensorRef } from './pickle.js';
export { openZip, looksLikeZip, type ZipArchive, type ZipEntry } from './zip.js';

/**
 * Reads a torch checkpoint file (a torch ≥ 1.6 zip, or a zip holding one) into a state dict, executing nothing.
 * @param file - the checkpoint path
 * @returns the state dict
 * @throws EnvisionError `E_FILE` when the file cannot be read or is truncated, `E_BUNDLE` when it is not a plain
 *   state dict (see {@link readTorchCheckpoint})
 */
export async function readCheckpoint(file: string): Promise<StateDict> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new EnvisionError('E_FILE', `cannot read ${file}: ${describeCause(e)}`, e);
  }
  return readTorchCheckpoint(bytes, file);
}

import { readFile } from 'node:fs/promises';
import { EnvisionError, describeCause } from '@envision/core';

/** What the benchmark reads from a phantom bundle's `training.json` (written by the training script). */
export interface TrainingInfo {
  /** The held-out seed range, both ends included (`phantoms.heldout.seeds`). */
  readonly heldout: { readonly first: number; readonly last: number };
  /** The phantom size the model was trained and evaluated at (`phantoms.size`), when recorded. */
  readonly size?: number;
  /** The held-out zero-shot accuracy the training script measured (`evaluation.accuracy`), when recorded. */
  readonly accuracy?: number;
  /** How many held-out images that accuracy counts (`evaluation.n`), when recorded. */
  readonly accuracyImages?: number;
}

function seed(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/**
 * Reads the fields the benchmark needs from the text of a `training.json`.
 *
 * @param text - the file's text
 * @param source - the file's path, for messages
 * @returns the held-out range and, when present, the recorded size and accuracy
 * @throws EnvisionError `E_BUNDLE` naming the file and the field when the JSON is malformed or
 * `phantoms.heldout.seeds` is not `[first, last]` with integers `0 ≤ first ≤ last`
 */
export function parseTrainingInfo(text: string, source: string): TrainingInfo {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EnvisionError('E_BUNDLE', `${source}: not valid JSON (${describeCause(e)})`, e);
  }
  const root = (json ?? {}) as { phantoms?: { size?: unknown; heldout?: { seeds?: unknown } }; evaluation?: { accuracy?: unknown; n?: unknown } };
  const seeds = root.phantoms?.heldout?.seeds;
  if (!Array.isArray(seeds) || seeds.length !== 2 || !seed(seeds[0]) || !seed(seeds[1]) || seeds[0] > seeds[1]) {
    throw new EnvisionError('E_BUNDLE', `${source}: phantoms.heldout.seeds must be [first, last] with integers 0 ≤ first ≤ last, got ${JSON.stringify(seeds)}`);
  }
  const size = root.phantoms?.size;
  const accuracy = root.evaluation?.accuracy;
  const n = root.evaluation?.n;
  return {
    heldout: { first: seeds[0], last: seeds[1] },
    ...(Number.isInteger(size) ? { size: size as number } : {}),
    ...(typeof accuracy === 'number' && Number.isFinite(accuracy) ? { accuracy } : {}),
    ...(Number.isInteger(n) ? { accuracyImages: n as number } : {}),
  };
}

/**
 * Reads a phantom bundle's `training.json` (see {@link parseTrainingInfo}).
 *
 * @param file - its path
 * @returns the held-out range and the recorded size and accuracy
 * @throws EnvisionError `E_FILE` when the file cannot be read; `E_BUNDLE` when it is malformed
 */
export async function readTrainingInfo(file: string): Promise<TrainingInfo> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new EnvisionError('E_FILE', `cannot read ${file}: ${describeCause(e)} (a phantom bundle records its held-out seeds there)`, e);
  }
  return parseTrainingInfo(text, file);
}

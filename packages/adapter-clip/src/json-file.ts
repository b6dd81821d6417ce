import { readFile } from 'node:fs/promises';
import { EnvisionError, describeCause } from '@envision/core';

/** Largest JSON file of a model folder read (a tokenizer.json of a 250k-token vocabulary is about 20 MB). */
export const MAX_JSON_BYTES = 200_000_000;

/**
 * Reads a JSON object from a model folder's file.
 * @throws EnvisionError `E_BUNDLE` naming the file when it is missing, too large, not JSON or not an object
 */
export async function readJsonObject(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_JSON_BYTES) throw new EnvisionError('E_BUNDLE', `${path}: ${bytes.length} bytes, over the limit of ${MAX_JSON_BYTES}`);
    text = bytes.toString('utf8');
  } catch (e) {
    if (e instanceof EnvisionError) throw e;
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new EnvisionError('E_BUNDLE', missing ? `${path}: no such file` : `cannot read ${path}: ${describeCause(e)}`, e);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new EnvisionError('E_BUNDLE', `${path}: not valid JSON (${describeCause(e)})`, e);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EnvisionError('E_BUNDLE', `${path}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/** A field of a JSON object read from `file`, checked by `valid`; `fallback` when absent. */
export function field<T>(file: string, object: Record<string, unknown>, path: string, valid: (v: unknown) => v is T, expected: string, fallback?: T): T {
  let value: unknown = object;
  for (const key of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (value === undefined && fallback !== undefined) return fallback;
  if (!valid(value)) throw new EnvisionError('E_BUNDLE', `${file}: ${path} must be ${expected}, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}

/** A finite number. */
export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** A positive integer. */
export const isPositiveInteger = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
/** A boolean. */
export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
/** Three finite numbers. */
export const isTriple = (v: unknown): v is [number, number, number] => Array.isArray(v) && v.length === 3 && v.every(isFiniteNumber);

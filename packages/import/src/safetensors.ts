import { closeSync, openSync, readSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { EnvisionError, type Tensor, describeCause, tensor } from '@envision/core';
import { bfloat16ToFloat, halfToFloat } from '@envision/onnx-grad';
import type { StateDict, StateDictTensor } from './checkpoint/index.js';

/**
 * A reader for the safetensors format: an unsigned 64-bit little-endian header length N, an N-byte JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { … } }`, then the raw little-endian data,
 * offsets counted from the end of the header. Only the header is read up front; tensors are read one byte range at a
 * time, so a 600 MB checkpoint never needs its size in memory twice.
 */

/** True on little-endian machines. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The format's cap on the header length. */
export const MAX_HEADER_BYTES = 100_000_000;

/** Bytes per element of each safetensors dtype. */
export const DTYPE_BYTES: Readonly<Record<string, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
};

/** One tensor's entry in the header. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Byte offsets in the data section, `[begin, end)`. */
  readonly begin: number;
  readonly end: number;
}

/** A validated safetensors file: its entries and metadata, and where its data starts. */
export interface SafetensorsFile {
  readonly path: string;
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
  readonly metadata: Readonly<Record<string, string>>;
  /** File offset of the data section: 8 + header length. */
  readonly dataStart: number;
}

function invalid(path: string, what: string, cause?: unknown): EnvisionError {
  return new EnvisionError('E_BUNDLE', `${path}: not a valid safetensors file: ${what}`, cause);
}

/**
 * The keys of the top-level JSON object, in order, duplicates included (JSON.parse keeps only the last of a duplicated
 * key, which would hide a second tensor of the same name).
 */
export function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && /^\s*:/.test(json.slice(j + 1, j + 64))) keys.push(JSON.parse(json.slice(i, j + 1)) as string);
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

/** Checks one header entry and returns it typed. */
function entryOf(path: string, name: string, raw: unknown, dataBytes: number): SafetensorsEntry {
  const where = `tensor '${name}'`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(path, `${where} is not an object`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
    throw invalid(path, `${where} has dtype ${JSON.stringify(dtype)}; known: ${Object.keys(DTYPE_BYTES).join(', ')}`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw invalid(path, `${where} has shape ${JSON.stringify(shape)}; expected a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    throw invalid(path, `${where} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with 0 ≤ begin ≤ end`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataBytes) throw invalid(path, `${where} ends at byte ${end} of a data section of ${dataBytes} bytes`);
  const bytes = shape.reduce((a: number, d: number) => a * d, 1) * DTYPE_BYTES[dtype]!;
  if (end - begin !== bytes) {
    throw invalid(path, `${where} is ${dtype} [${shape.join(', ')}] = ${bytes} bytes, but data_offsets span ${end - begin}`);
  }
  return { name, dtype, shape, begin, end };
}

/**
 * Reads and validates the header of a safetensors file: the header length is within the file and at most 100 MB,
 * the header is a JSON object without duplicate names, every dtype is known, every shape is a list of non-negative
 * integers, the bytes of every tensor equal its shape times its element size, and the tensors cover the data section
 * exactly, in order, without gaps or overlaps.
 *
 * @throws EnvisionError `E_FILE` when the file cannot be read, `E_BUNDLE` (one line naming the file and the rule)
 *   when it breaks the format
 */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsFile> {
  let size: number;
  let handle;
  try {
    size = (await stat(path)).size;
    handle = await open(path, 'r');
  } catch (e) {
    throw new EnvisionError('E_FILE', `cannot read ${path}: ${describeCause(e)}`, e);
  }
  try {
    if (size < 8) throw invalid(path, `the file is ${size} bytes, shorter than the 8-byte header length`);
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    const length = head.readBigUInt64LE(0);
    if (length > BigInt(MAX_HEADER_BYTES)) throw invalid(path, `the header length ${length} is over the format's limit of ${MAX_HEADER_BYTES} bytes`);
    const n = Number(length);
    if (8 + n > size) throw invalid(path, `the header length ${n} runs past the end of the ${size}-byte file`);
    const text = Buffer.alloc(n);
    await handle.read(text, 0, n, 8);
    const json = text.toString('utf8');
    let header: unknown;
    try {
      header = JSON.parse(json);
    } catch (e) {
      throw invalid(path, `the header is not JSON (${describeCause(e)})`, e);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) throw invalid(path, 'the header is not a JSON object');
    const keys = topLevelKeys(json);
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) throw invalid(path, `the header names '${key}' twice`);
      seen.add(key);
    }
    const dataBytes = size - 8 - n;
    const entries = new Map<string, SafetensorsEntry>();
    let metadata: Record<string, string> = {};
    for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
          throw invalid(path, '__metadata__ must be an object of strings');
        }
        metadata = raw as Record<string, string>;
        continue;
      }
      entries.set(name, entryOf(path, name, raw, dataBytes));
    }
    const ordered = [...entries.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
    let at = 0;
    for (const e of ordered) {
      if (e.begin !== at) {
        throw invalid(path, e.begin < at ? `tensor '${e.name}' overlaps the tensor before it (begins at ${e.begin}, before ${at})` : `a gap of ${e.begin - at} bytes before tensor '${e.name}'`);
      }
      at = e.end;
    }
    if (at !== dataBytes) throw invalid(path, `the tensors cover ${at} of the ${dataBytes} data bytes`);
    return { path, entries, metadata, dataStart: 8 + n };
  } finally {
    await handle.close();
  }
}

/** Little-endian F32, F16 or BF16 bytes as float32 values. */
export function toFloat32(bytes: Uint8Array, dtype: string): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / DTYPE_BYTES[dtype]!);
  if (dtype === 'F32') for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  else if (dtype === 'F16') for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  else if (dtype === 'BF16') for (let i = 0; i < out.length; i++) out[i] = bfloat16ToFloat(view.getUint16(2 * i, true));
  else throw new RangeError(`dtype ${dtype} is not a float type this reader converts (F32, F16, BF16)`);
  return out;
}

/**
 * Reads the named tensors of a validated file as float32 (F32, F16 and BF16 are converted), each from its own byte
 * range: nothing else of the file is read.
 *
 * @throws EnvisionError `E_BUNDLE` naming the file and tensor when a name is missing or its dtype is not a float type
 */
export async function readSafetensors(file: SafetensorsFile, names: readonly string[]): Promise<Map<string, Tensor<'float32'>>> {
  for (const name of names) {
    const e = file.entries.get(name);
    if (e === undefined) throw new EnvisionError('E_BUNDLE', `${file.path}: no tensor '${name}'`);
    if (!['F32', 'F16', 'BF16'].includes(e.dtype)) throw new EnvisionError('E_BUNDLE', `${file.path}: tensor '${name}' is ${e.dtype}; expected F32, F16 or BF16`);
  }
  const out = new Map<string, Tensor<'float32'>>();
  let handle;
  try {
    handle = await open(file.path, 'r');
  } catch (e) {
    throw new EnvisionError('E_FILE', `cannot read ${file.path}: ${describeCause(e)}`, e);
  }
  try {
    for (const name of names) {
      const e = file.entries.get(name)!;
      const bytes = new Uint8Array(e.end - e.begin);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, file.dataStart + e.begin);
      if (bytesRead !== bytes.length) throw new EnvisionError('E_BUNDLE', `${file.path}: tensor '${name}' is cut short (the file changed while it was read?)`);
      out.set(name, tensor('float32', e.shape, toFloat32(bytes, e.dtype)));
    }
  } finally {
    await handle.close();
  }
  return out;
}

/**
 * Every tensor of a safetensors file as a state dict: floating-point tensors (F32, F16, BF16) as float32, integer
 * tensors (I64, I32) as int64; each read from its own byte range.
 * @throws EnvisionError `E_BUNDLE` naming the file and tensor for a dtype it does not convert (F64, F8, U8, BOOL, …)
 */
export async function readSafetensorsStateDict(path: string): Promise<StateDict> {
  const file = await readSafetensorsHeader(path);
  const floats = [...file.entries.values()].filter((e) => ['F32', 'F16', 'BF16'].includes(e.dtype)).map((e) => e.name);
  const ints = [...file.entries.values()].filter((e) => e.dtype === 'I64' || e.dtype === 'I32');
  const other = [...file.entries.values()].find((e) => !floats.includes(e.name) && !ints.includes(e));
  if (other !== undefined) throw new EnvisionError('E_BUNDLE', `${path}: tensor '${other.name}' is ${other.dtype}; the importer reads F32, F16, BF16, I64 and I32`);
  const dict = new Map<string, StateDictTensor>(await readSafetensors(file, floats));
  if (ints.length > 0) {
    const handle = await open(path, 'r');
    try {
      for (const e of ints) {
        const bytes = new Uint8Array(e.end - e.begin);
        await handle.read(bytes, 0, bytes.length, file.dataStart + e.begin);
        const view = new DataView(bytes.buffer);
        const n = bytes.length / DTYPE_BYTES[e.dtype]!;
        const data = new BigInt64Array(n);
        for (let i = 0; i < n; i++) data[i] = e.dtype === 'I64' ? view.getBigInt64(8 * i, true) : BigInt(view.getInt32(4 * i, true));
        dict.set(e.name, tensor('int64', e.shape, data));
      }
    } finally {
      await handle.close();
    }
  }
  return dict;
}

/**
 * A safetensors file of float32 tensors (in the given order, contiguous, little-endian), with optional metadata.
 */
export function encodeSafetensors(tensors: ReadonlyMap<string, Tensor<'float32'>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  // Keyed by tensor names: no prototype, so a tensor named __proto__ is written like any other.
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * t.data.length] };
    offset += 4 * t.data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // the format pads the header to 8 bytes
  const text = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + text.length + offset);
  out.writeBigUInt64LE(BigInt(text.length), 0);
  text.copy(out, 8);
  let at = 8 + text.length;
  for (const t of tensors.values()) for (const v of t.data) at = out.writeFloatLE(v, at);
  return out;
}

/**
 * A state dict over a validated safetensors file that reads each tensor from disk when it is asked for and keeps
 * nothing: importing a tower then holds only that tower's graph, never the whole checkpoint. Call `close()` after use.
 * F32, F16 and BF16 tensors come as float32, I64 and I32 as int64.
 */
export class LazySafetensors implements ReadonlyMap<string, StateDictTensor> {
  private fd: number | undefined;

  private constructor(readonly file: SafetensorsFile) {}

  /**
   * Opens and validates a file (see {@link readSafetensorsHeader}).
   * @throws EnvisionError as {@link readSafetensorsHeader}, and `E_BUNDLE` for a dtype it does not convert
   */
  static async open(path: string): Promise<LazySafetensors> {
    const file = await readSafetensorsHeader(path);
    const other = [...file.entries.values()].find((e) => !['F32', 'F16', 'BF16', 'I64', 'I32'].includes(e.dtype));
    if (other !== undefined) throw new EnvisionError('E_BUNDLE', `${path}: tensor '${other.name}' is ${other.dtype}; the importer reads F32, F16, BF16, I64 and I32`);
    return new LazySafetensors(file);
  }

  get size(): number {
    return this.file.entries.size;
  }

  has(key: string): boolean {
    return this.file.entries.has(key);
  }

  get(key: string): StateDictTensor | undefined {
    const e = this.file.entries.get(key);
    if (e === undefined) return undefined;
    this.fd ??= openSync(this.file.path, 'r');
    const bytes = new Uint8Array(e.end - e.begin);
    if (readSync(this.fd, bytes, 0, bytes.length, this.file.dataStart + e.begin) !== bytes.length) {
      throw new EnvisionError('E_BUNDLE', `${this.file.path}: tensor '${key}' is cut short (the file changed while it was read?)`);
    }
    if (e.dtype === 'I64' || e.dtype === 'I32') {
      const view = new DataView(bytes.buffer);
      const n = bytes.length / DTYPE_BYTES[e.dtype]!;
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = e.dtype === 'I64' ? view.getBigInt64(8 * i, true) : BigInt(view.getInt32(4 * i, true));
      return tensor('int64', e.shape, data);
    }
    // F32 bytes read into their own buffer are already a little-endian float32 array: view them, do not copy.
    const floats = e.dtype === 'F32' && LITTLE_ENDIAN ? new Float32Array(bytes.buffer, 0, bytes.length / 4) : toFloat32(bytes, e.dtype);
    return tensor('float32', e.shape, floats);
  }

  keys(): MapIterator<string> {
    return this.file.entries.keys();
  }

  *entries(): MapIterator<[string, StateDictTensor]> {
    for (const k of this.file.entries.keys()) yield [k, this.get(k)!];
  }

  *values(): MapIterator<StateDictTensor> {
    for (const [, v] of this.entries()) yield v;
  }

  forEach(callback: (value: StateDictTensor, key: string, map: ReadonlyMap<string, StateDictTensor>) => void): void {
    for (const [k, v] of this.entries()) callback(v, k, this);
  }

  [Symbol.iterator](): MapIterator<[string, StateDictTensor]> {
    return this.entries();
  }

  /** Closes the file. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

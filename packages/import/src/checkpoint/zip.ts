import { crc32, inflateRawSync } from 'node:zlib';
import { EnvisionError } from '@envision/core';

/** One file of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  /** The path inside the archive (`/` separated). */
  readonly name: string;
  /** 0 (stored) or 8 (deflate); other methods are refused when the entry is read. */
  readonly method: number;
  /** Bytes of the entry's data in the archive. */
  readonly compressedSize: number;
  /** Bytes of the entry's data once inflated. */
  readonly size: number;
  /** CRC-32 of the inflated data. */
  readonly crc: number;
  /** Offset of the entry's local header. */
  readonly headerOffset: number;
}

/** A zip archive held in memory: its entries by name and a way to read each. */
export interface ZipArchive {
  /** Entries in central-directory order. */
  readonly entries: readonly ZipEntry[];
  /**
   * The data of one entry, inflated and CRC-checked (a view into the archive for stored entries, no copy).
   * @throws EnvisionError `E_FILE` naming the entry when it is truncated, corrupt or uses another compression method
   */
  read(entry: ZipEntry): Uint8Array;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
/** The largest inflate ratio accepted for entries over {@link MAX_RATIO_FREE_BYTES}. */
export const MAX_DEFLATE_RATIO = 200;
/** Entries up to this many inflated bytes are read whatever their ratio. */
export const MAX_RATIO_FREE_BYTES = 1 << 20;
const LOCAL = 0x04034b50;
const MAX32 = 0xffffffff;

/** True when the bytes start like a zip archive (a local file header, or an empty archive's end record). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 4) return false;
  const sig = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  return sig === LOCAL || sig === EOCD;
}

function u64(view: DataView, at: number, what: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${what} ${v} is too large`);
  return Number(v);
}

/** Finds the end-of-central-directory record, searching back over a comment of up to 64 KiB. */
function findEnd(view: DataView): number {
  const last = view.byteLength - 22;
  const first = Math.max(0, last - 0xffff);
  for (let at = last; at >= first; at--) {
    if (view.getUint32(at, true) === EOCD && at + 22 + view.getUint16(at + 20, true) === view.byteLength) return at;
  }
  for (let at = last; at >= first; at--) if (view.getUint32(at, true) === EOCD) return at;
  return -1;
}

/** Reads the zip64 extra field (id 1) for whichever of the sizes and offset were saturated. */
function zip64Extra(view: DataView, at: number, length: number, fields: { size: number; compressedSize: number; headerOffset: number }): void {
  let p = at;
  while (p + 4 <= at + length) {
    const id = view.getUint16(p, true);
    const len = view.getUint16(p + 2, true);
    if (id === 1) {
      let q = p + 4;
      if (fields.size === MAX32) (fields.size = u64(view, q, 'size')), (q += 8);
      if (fields.compressedSize === MAX32) (fields.compressedSize = u64(view, q, 'compressed size')), (q += 8);
      if (fields.headerOffset === MAX32) fields.headerOffset = u64(view, q, 'offset');
      return;
    }
    p += 4 + len;
  }
}

/**
 * Opens a zip archive held in memory by its central directory (zip64 included). Entries are read lazily.
 * @param bytes - the whole archive
 * @param source - the file name, for messages
 * @returns the archive
 * @throws EnvisionError `E_FILE` when there is no end-of-central-directory record (not a zip, or truncated) or the
 *   central directory lies outside the bytes
 */
export function openZip(bytes: Uint8Array, source: string): ZipArchive {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const truncated = (why: string) => new EnvisionError('E_FILE', `${source} is not a complete zip archive (${why}): the file is truncated or corrupt`);
  const end = bytes.byteLength >= 22 ? findEnd(view) : -1;
  if (end < 0) throw truncated('no end-of-central-directory record');
  let count = view.getUint16(end + 10, true);
  let dirSize = view.getUint32(end + 12, true);
  let dirOffset = view.getUint32(end + 16, true);
  try {
    if ((count === 0xffff || dirSize === MAX32 || dirOffset === MAX32) && end >= 20 && view.getUint32(end - 20, true) === EOCD64_LOCATOR) {
      const at64 = u64(view, end - 20 + 8, 'zip64 record offset');
      if (at64 + 56 > bytes.byteLength || view.getUint32(at64, true) !== EOCD64) throw truncated('bad zip64 end record');
      count = u64(view, at64 + 32, 'entry count');
      dirSize = u64(view, at64 + 40, 'directory size');
      dirOffset = u64(view, at64 + 48, 'directory offset');
    }
  } catch (e) {
    if (e instanceof EnvisionError) throw e;
    throw truncated(String((e as Error).message));
  }
  if (dirOffset + dirSize > bytes.byteLength) {
    throw truncated('central directory beyond the end of the file');
  }
  const entries: ZipEntry[] = [];
  const decoder = new TextDecoder();
  let p = dirOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.byteLength || view.getUint32(p, true) !== CENTRAL) throw truncated(`central directory entry ${k} is damaged`);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const fields = { size: view.getUint32(p + 24, true), compressedSize: view.getUint32(p + 20, true), headerOffset: view.getUint32(p + 42, true) };
    if (p + 46 + nameLength + extraLength > bytes.byteLength) throw truncated(`central directory entry ${k} is damaged`);
    zip64Extra(view, p + 46 + nameLength, extraLength, fields);
    entries.push({
      name: decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength)),
      method: view.getUint16(p + 10, true),
      crc: view.getUint32(p + 16, true),
      ...fields,
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  const read = (entry: ZipEntry): Uint8Array => {
    const what = `${source}: entry '${entry.name}'`;
    const h = entry.headerOffset;
    if (h + 30 > bytes.byteLength || view.getUint32(h, true) !== LOCAL) throw new EnvisionError('E_FILE', `${what} has no local header: the archive is truncated or corrupt`);
    const start = h + 30 + view.getUint16(h + 26, true) + view.getUint16(h + 28, true);
    if (start + entry.compressedSize > bytes.byteLength) throw new EnvisionError('E_FILE', `${what} ends beyond the end of the file: the archive is truncated`);
    const raw = bytes.subarray(start, start + entry.compressedSize);
    let data: Uint8Array;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8) {
      // A zip bomb is refused before it is inflated: weights barely compress (≈ 1.1:1), pickles ≈ 10:1.
      if (entry.size > MAX_RATIO_FREE_BYTES && entry.size > MAX_DEFLATE_RATIO * entry.compressedSize) {
        throw new EnvisionError('E_FILE', `${what} would inflate ${entry.compressedSize} bytes to ${entry.size} (more than ${MAX_DEFLATE_RATIO}:1): not a checkpoint (a zip bomb?)`);
      }
      try {
        // Never more than the directory declares, whatever the data says.
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
      } catch (e) {
        throw new EnvisionError('E_FILE', `${what} cannot be inflated (${(e as Error).message}): the archive is corrupt`, e);
      }
    } else throw new EnvisionError('E_FILE', `${what} uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
    if (data.byteLength !== entry.size) throw new EnvisionError('E_FILE', `${what} holds ${data.byteLength} bytes, its directory says ${entry.size}: the archive is corrupt`);
    if (crc32(data) >>> 0 !== entry.crc >>> 0) throw new EnvisionError('E_FILE', `${what} fails its CRC-32 check: the archive is corrupt`);
    return data;
  };
  return { entries, read };
}

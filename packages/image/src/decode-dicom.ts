import { constants as zlib, inflateRawSync } from 'node:zlib';
import dcmjs from 'dcmjs';
import { EnvisionError, describeCause } from '@envision/core';

/**
 * DICOM (Part 10) images as one grey channel of floats in [0, 1], read with dcmjs:
 *
 * 1. the stored values of the first frame (bits outside `BitsStored` masked off, signed values sign-extended);
 * 2. the modality rescale `x · RescaleSlope + RescaleIntercept` (PS3.3 C.11.1);
 * 3. the VOI window when `WindowCenter`/`WindowWidth` are present (the first pair): `LINEAR` (PS3.3
 *    C.11.2.1.2.1, the default), `LINEAR_EXACT` or `SIGMOID` (C.11.2.1.3), mapped to [0, 1]; without a window,
 *    min–max of the rescaled image to [0, 1];
 * 4. `MONOCHROME1` (higher values darker) inverted after windowing, `1 − y`, so that white is 1 as in `MONOCHROME2`;
 * 5. `RGB` (no VOI transform in DICOM) becomes grey as `(299 R + 587 G + 114 B) / 1000`, scaled by `2^BitsStored − 1`.
 *
 * Transfer syntaxes: implicit and explicit VR little endian, deflated explicit VR little endian and explicit VR
 * big endian (retired, still met). Compressed (encapsulated) syntaxes are refused by name.
 */

// dcmjs logs through loglevel (validation warnings such as a defaulted VR): keep the CLI's output clean.
dcmjs.log.setLevel('silent', false);
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent', false);

/** The transfer syntaxes whose pixel data is read: native (uncompressed) encodings. */
export const SUPPORTED_TRANSFER_SYNTAXES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
};

/** Names of the encapsulated transfer syntaxes (PS3.6 Annex A), for the message that refuses them. */
export const ENCAPSULATED_TRANSFER_SYNTAXES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.1.98': 'Encapsulated Uncompressed Explicit VR Little Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless, Non-Hierarchical (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless Image Compression',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Lossy (Near-Lossless) Image Compression',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Image Compression (Lossless Only)',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000 Image Compression',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component Image Compression',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.95': 'JPIP Referenced Deflate',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile / Main Level',
  '1.2.840.10008.1.2.4.101': 'MPEG2 Main Profile / High Level',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.104': 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video',
  '1.2.840.10008.1.2.4.105': 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video',
  '1.2.840.10008.1.2.4.106': 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2',
  '1.2.840.10008.1.2.4.107': 'HEVC/H.265 Main Profile / Level 5.1',
  '1.2.840.10008.1.2.4.108': 'HEVC/H.265 Main 10 Profile / Level 5.1',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 Image Compression (Lossless Only)',
  '1.2.840.10008.1.2.4.202': 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000 Image Compression',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

const BIG_ENDIAN = '1.2.840.10008.1.2.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';

/** What a DICOM file decodes to: floats in [0, 1], row-major, white = 1. */
export interface DicomImage {
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** `width · height` values in [0, 1], row-major. */
  readonly data: Float32Array;
  /** How the values were mapped to [0, 1], for messages and tests. */
  readonly info: DicomInfo;
}

/** How a DICOM image was read. */
export interface DicomInfo {
  /** Transfer syntax UID (0002,0010). */
  readonly transferSyntax: string;
  /** Photometric Interpretation (0028,0004). */
  readonly photometric: string;
  /** Bits Allocated (0028,0100): 8, 16 or 32. */
  readonly bitsAllocated: number;
  /** Bits Stored (0028,0101). */
  readonly bitsStored: number;
  /** Pixel Representation (0028,0103) is 1: two's complement values. */
  readonly signed: boolean;
  /** Number of Frames (0028,0008); only the first is read. */
  readonly frames: number;
  /** Rescale Slope and Intercept (0028,1053/1052), 1 and 0 when absent. */
  readonly rescale: { readonly slope: number; readonly intercept: number };
  /** The window applied, or `undefined` when min–max was used. */
  readonly window?: { readonly center: number; readonly width: number; readonly fn: VoiFunction };
}

/** The VOI LUT functions of PS3.3 C.11.2.1.2–3. */
export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

/** Options of {@link decodeDicomBytes}. */
export interface DicomDecodeOptions {
  /**
   * Largest image accepted, in pixels (rows × columns).
   * @default 100_000_000
   */
  readonly limitInputPixels?: number;
}

/** True when `bytes` start like a DICOM Part-10 file: a 128-byte preamble, then `DICM`. */
export function isDicom(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** Explicit-VR types whose length is 4 bytes after 2 reserved ones (PS3.5 7.1.2). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/**
 * The transfer syntax UID from the file meta information (group 0002, always explicit VR little endian),
 * read without parsing the data set, or `undefined` when absent.
 */
export function readTransferSyntax(bytes: Uint8Array): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 132;
  while (p + 8 <= bytes.length && view.getUint16(p, true) === 0x0002) {
    const element = view.getUint16(p + 2, true);
    const vr = String.fromCharCode(bytes[p + 4]!, bytes[p + 5]!);
    const long = LONG_VRS.has(vr);
    if (long && p + 12 > bytes.length) return undefined;
    const length = long ? view.getUint32(p + 8, true) : view.getUint16(p + 6, true);
    const start = p + (long ? 12 : 8);
    if (start + length > bytes.length) return undefined;
    if (element === 0x0010) {
      return String.fromCharCode(...bytes.subarray(start, start + length)).replace(/[\0 ]+$/, '');
    }
    p = start + length;
  }
  return undefined;
}

/** Offset where the data set starts: after the file meta group (0002), which is explicit VR little endian. */
function dataSetStart(bytes: Uint8Array, view: DataView): number {
  let p = 132;
  while (p + 8 <= bytes.length && view.getUint16(p, true) === 0x0002) {
    const long = LONG_VRS.has(String.fromCharCode(bytes[p + 4]!, bytes[p + 5]!));
    p += long ? 12 + view.getUint32(p + 8, true) : 8 + view.getUint16(p + 6, true);
  }
  return p;
}

const UNDEFINED = 0xffffffff;

/**
 * Walks the data set's elements (without their values) and reports the first one whose value runs past the end
 * of the file: dcmjs zero-fills a truncated last element instead of failing. A deflated data set is inflated
 * (raw deflate, PS3.5 A.5) and walked as explicit VR little endian.
 * @returns the problem, or `undefined` when every element fits
 */
export function truncation(file: Uint8Array, syntax: string): string | undefined {
  let bytes = file;
  let start = dataSetStart(file, new DataView(file.buffer, file.byteOffset, file.byteLength));
  if (syntax === DEFLATED) {
    try {
      bytes = inflateRawSync(file.subarray(start), { finishFlush: zlib.Z_SYNC_FLUSH });
    } catch (e) {
      return `the deflated data set cannot be inflated: ${describeCause(e)}`;
    }
    start = 0;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = syntax !== BIG_ENDIAN;
  const explicit = syntax !== '1.2.840.10008.1.2';
  const tagAt = (p: number): string =>
    `(${view.getUint16(p, little).toString(16).toUpperCase().padStart(4, '0')},${view.getUint16(p + 2, little).toString(16).toUpperCase().padStart(4, '0')})`;
  // Returns the offset after the elements walked, stopping after the delimiter `until` when given.
  const walk = (start: number, end: number, until?: number): number => {
    let p = start;
    while (p < end) {
      if (p + 8 > bytes.length) throw new Error(`element header at byte ${p} is cut off`);
      const group = view.getUint16(p, little);
      const element = view.getUint16(p + 2, little);
      const tag = group * 0x10000 + element;
      let length: number;
      let header: number;
      let sequence = false;
      if (group === 0xfffe || !explicit) {
        length = view.getUint32(p + 4, little);
        header = 8;
        sequence = length === UNDEFINED;
      } else {
        const vr = String.fromCharCode(bytes[p + 4]!, bytes[p + 5]!);
        const long = LONG_VRS.has(vr);
        if (long && p + 12 > bytes.length) throw new Error(`element header at byte ${p} is cut off`);
        length = long ? view.getUint32(p + 8, little) : view.getUint16(p + 6, little);
        header = long ? 12 : 8;
        sequence = length === UNDEFINED;
      }
      p += header;
      if (tag === until) return p;
      if (tag === 0xfffee00d || tag === 0xfffee0dd) continue; // a delimiter not asked for: nothing to skip
      if (sequence) {
        p = walk(p, bytes.length, group === 0xfffe ? 0xfffee00d : 0xfffee0dd);
        continue;
      }
      if (p + length > bytes.length) {
        throw new Error(`element ${tagAt(p - header)} declares ${length} bytes at byte ${p}, the data ends at ${bytes.length}`);
      }
      p += length;
    }
    if (until !== undefined) throw new Error('a sequence or item has no delimiter before the end of the file');
    return p;
  };
  try {
    walk(start, bytes.length);
    return undefined;
  } catch (e) {
    return describeCause(e);
  }
}

type Dict = Record<string, { vr?: string; Value?: unknown[] } | undefined>;

/** The n-th value of a tag, as a number (`undefined` when absent or empty). */
function num(dict: Dict, tag: string, n = 0): number | undefined {
  const v = dict[tag]?.Value?.[n];
  if (v === undefined || v === null || v === '') return undefined;
  const x = Number(v);
  return Number.isFinite(x) ? x : undefined;
}

function str(dict: Dict, tag: string): string | undefined {
  const v = dict[tag]?.Value?.[0];
  return typeof v === 'string' ? v.trim() : undefined;
}

const TAG = {
  samplesPerPixel: '00280002',
  photometric: '00280004',
  planarConfiguration: '00280006',
  frames: '00280008',
  rows: '00280010',
  columns: '00280011',
  bitsAllocated: '00280100',
  bitsStored: '00280101',
  highBit: '00280102',
  pixelRepresentation: '00280103',
  windowCenter: '00281050',
  windowWidth: '00281051',
  rescaleIntercept: '00281052',
  rescaleSlope: '00281053',
  voiFunction: '00281056',
  modalityLutSequence: '00283000',
  pixelData: '7FE00010',
} as const;

/**
 * Maps a rescaled value through a VOI window to [0, 1] (PS3.3 C.11.2.1.2.1 `LINEAR`, C.11.2.1.3.2
 * `LINEAR_EXACT`, C.11.2.1.3.1 `SIGMOID`, with y_min = 0 and y_max = 1).
 */
export function applyWindow(x: number, center: number, width: number, fn: VoiFunction): number {
  if (fn === 'SIGMOID') return 1 / (1 + Math.exp((-4 * (x - center)) / width));
  const c = fn === 'LINEAR' ? center - 0.5 : center;
  const w = fn === 'LINEAR' ? width - 1 : width;
  if (x <= c - w / 2) return 0;
  if (x > c + w / 2) return 1;
  return (x - c) / w + 0.5;
}

/**
 * Decodes a DICOM Part-10 file's first frame to grey floats in [0, 1] (see the module description).
 *
 * @param bytes - the whole file
 * @param source - the file name used in messages
 * @param options - the pixel limit
 * @throws EnvisionError `E_IMAGE` (one line) for a compressed transfer syntax (naming its UID and name), a
 *   malformed or truncated file, a missing image attribute, or an unsupported pixel layout
 */
export function decodeDicomBytes(bytes: Uint8Array, source: string, options: DicomDecodeOptions = {}): DicomImage {
  const fail = (what: string, cause?: unknown): EnvisionError => new EnvisionError('E_IMAGE', `cannot read image ${source}: ${what}`, cause);
  if (!isDicom(bytes)) throw fail("not a DICOM Part-10 file (no 'DICM' after the 128-byte preamble)");
  const syntax = readTransferSyntax(bytes);
  if (syntax === undefined) throw fail('DICOM file meta information has no transfer syntax (0002,0010)');
  if (!(syntax in SUPPORTED_TRANSFER_SYNTAXES)) {
    const name = ENCAPSULATED_TRANSFER_SYNTAXES[syntax];
    const what = name === undefined ? 'an unknown transfer syntax' : `${name}, a compressed transfer syntax`;
    throw fail(`DICOM transfer syntax ${syntax} (${what}) is not supported; decompress it first (for example dcmdjpeg, dcmdrle or gdcmconv --raw)`);
  }
  const cut = truncation(bytes, syntax);
  if (cut !== undefined) throw fail(`truncated or corrupt DICOM file: ${cut}`);
  let dict: Dict;
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    dict = dcmjs.data.DicomMessage.readFile(buffer).dict as Dict;
  } catch (e) {
    throw fail(`corrupt or truncated DICOM file: ${describeCause(e)}`, e);
  }

  const rows = num(dict, TAG.rows);
  const columns = num(dict, TAG.columns);
  const bitsAllocated = num(dict, TAG.bitsAllocated);
  const photometric = str(dict, TAG.photometric);
  const missing = [
    rows === undefined ? 'Rows (0028,0010)' : '',
    columns === undefined ? 'Columns (0028,0011)' : '',
    bitsAllocated === undefined ? 'Bits Allocated (0028,0100)' : '',
    photometric === undefined ? 'Photometric Interpretation (0028,0004)' : '',
    dict[TAG.pixelData]?.Value === undefined ? 'Pixel Data (7FE0,0010)' : '',
  ].filter((m) => m !== '');
  if (missing.length > 0) throw fail(`DICOM file has no ${missing.join(', ')}: not an image`);
  const width = columns!;
  const height = rows!;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw fail(`DICOM Rows ${height} / Columns ${width}: an image needs at least one row and one column`);
  const limit = options.limitInputPixels ?? 100_000_000;
  if (width * height > limit) {
    throw fail(`image is ${width}×${height} = ${width * height} pixels, over the limit of ${limit} (option limitInputPixels)`);
  }
  const allocated = bitsAllocated!;
  if (allocated !== 8 && allocated !== 16 && allocated !== 32) throw fail(`DICOM Bits Allocated ${allocated} is not supported (8, 16 or 32)`);
  const stored = num(dict, TAG.bitsStored) ?? allocated;
  const highBit = num(dict, TAG.highBit) ?? stored - 1;
  if (stored < 1 || stored > allocated || highBit < stored - 1 || highBit >= allocated) {
    throw fail(`DICOM Bits Stored ${stored} / High Bit ${highBit} do not fit Bits Allocated ${allocated}`);
  }
  const signed = num(dict, TAG.pixelRepresentation) === 1;
  const samples = num(dict, TAG.samplesPerPixel) ?? 1;
  const frames = num(dict, TAG.frames) ?? 1;
  const mono = photometric === 'MONOCHROME1' || photometric === 'MONOCHROME2';
  if (!(mono && samples === 1) && !(photometric === 'RGB' && samples === 3)) {
    throw fail(`DICOM Photometric Interpretation ${photometric} with ${samples} samples per pixel is not supported (MONOCHROME1, MONOCHROME2 or RGB)`);
  }
  if (dict[TAG.modalityLutSequence] !== undefined) throw fail('DICOM Modality LUT Sequence (0028,3000) is not supported (only Rescale Slope/Intercept)');

  const pixels = pixelBytes(dict[TAG.pixelData]!.Value!);
  const n = width * height;
  const frameBytes = (n * samples * allocated) / 8;
  if (pixels.byteLength < frameBytes) throw fail(`DICOM pixel data holds ${pixels.byteLength} bytes, a ${width}×${height} frame needs ${frameBytes}`);
  const values = storedValues(pixels, n * samples, allocated, stored, highBit, signed, syntax !== BIG_ENDIAN);

  const slope = num(dict, TAG.rescaleSlope) ?? 1;
  const intercept = num(dict, TAG.rescaleIntercept) ?? 0;
  const out = new Float32Array(n);
  let window: DicomInfo['window'];
  if (photometric === 'RGB') {
    const planar = num(dict, TAG.planarConfiguration) === 1;
    const max = 2 ** stored - 1;
    for (let i = 0; i < n; i++) {
      const [r, g, b] = planar ? [values[i]!, values[n + i]!, values[2 * n + i]!] : [values[3 * i]!, values[3 * i + 1]!, values[3 * i + 2]!];
      out[i] = (299 * r + 587 * g + 114 * b) / 1000 / max;
    }
  } else {
    for (let i = 0; i < n; i++) values[i] = values[i]! * slope + intercept;
    // A slope or intercept at the edge of float64 (1e308) overflows to Infinity (and NaN): said, not passed on.
    if (!values.subarray(0, n).every(Number.isFinite)) throw fail(`DICOM Rescale Slope ${slope} / Intercept ${intercept} make the pixel values overflow (not finite)`);
    const center = num(dict, TAG.windowCenter);
    const widthValue = num(dict, TAG.windowWidth);
    if (center !== undefined && widthValue !== undefined) {
      const fn = (str(dict, TAG.voiFunction) ?? 'LINEAR').toUpperCase();
      if (fn !== 'LINEAR' && fn !== 'LINEAR_EXACT' && fn !== 'SIGMOID') throw fail(`DICOM VOI LUT Function ${fn} is not supported (LINEAR, LINEAR_EXACT, SIGMOID)`);
      if (fn === 'LINEAR' ? widthValue < 1 : widthValue <= 0) {
        throw fail(`DICOM Window Width ${widthValue} is invalid for the ${fn} function (${fn === 'LINEAR' ? '≥ 1' : '> 0'})`);
      }
      window = { center, width: widthValue, fn };
      for (let i = 0; i < n; i++) out[i] = applyWindow(values[i]!, center, widthValue, fn);
    } else {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++) {
        lo = Math.min(lo, values[i]!);
        hi = Math.max(hi, values[i]!);
      }
      const span = hi - lo;
      for (let i = 0; i < n; i++) out[i] = span > 0 ? (values[i]! - lo) / span : 0;
    }
    if (photometric === 'MONOCHROME1') for (let i = 0; i < n; i++) out[i] = 1 - out[i]!;
  }
  // A window at the edge of float64 (1e308, a span of 2e308) gives NaN: said, not passed on.
  if (!out.every(Number.isFinite)) throw fail(`DICOM ${window ? `Window ${window.center}/${window.width}` : 'pixel value range'} makes the image not finite`);
  const info: DicomInfo = { transferSyntax: syntax, photometric: photometric!, bitsAllocated: allocated, bitsStored: stored, signed, frames, rescale: { slope, intercept }, ...(window ? { window } : {}) };
  return { width, height, data: out, info };
}

/** The native pixel data as one byte array (dcmjs gives a list of ArrayBuffers). */
function pixelBytes(value: unknown[]): Uint8Array {
  const parts = value.filter((v): v is ArrayBuffer | ArrayBufferView => v instanceof ArrayBuffer || ArrayBuffer.isView(v)).map((v) =>
    v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
  );
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/**
 * The stored values of the first `count` samples: bits `highBit − bitsStored + 1 … highBit` of each cell, two's
 * complement when signed (PS3.5 8.1.1, 8.2). Float64 so that 32-bit values and the rescale stay exact.
 */
function storedValues(bytes: Uint8Array, count: number, allocated: number, stored: number, highBit: number, signed: boolean, little: boolean): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  const shift = highBit + 1 - stored;
  const range = 2 ** stored;
  const half = range / 2;
  for (let i = 0; i < count; i++) {
    const cell = allocated === 8 ? view.getUint8(i) : allocated === 16 ? view.getUint16(2 * i, little) : view.getUint32(4 * i, little);
    let v = Math.floor(cell / 2 ** shift) % range;
    if (signed && v >= half) v -= range;
    out[i] = v;
  }
  return out;
}

import { open, readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { EnvisionError, describeCause } from '@envision/core';
import { decodeDicomBytes, isDicom } from './decode-dicom.js';

/** A decoded one-channel image, row-major. */
export type GreyImage =
  /** 8-bit sources: grey levels 0–255, as PIL's `convert('L')` gives them. */
  | { readonly bitDepth: 8; readonly width: number; readonly height: number; readonly data: Uint8Array }
  /** 16-bit sources: values scaled by 65535 to [0, 1], float32. */
  | { readonly bitDepth: 16; readonly width: number; readonly height: number; readonly data: Float32Array }
  /** DICOM: values in [0, 1] after the modality rescale, the VOI window (or min–max) and MONOCHROME1 inversion, float32. */
  | { readonly bitDepth: 'float'; readonly width: number; readonly height: number; readonly data: Float32Array };

/** Options of {@link decodeGrey}. */
export interface DecodeOptions {
  /**
   * Largest image accepted, in pixels (width × height); larger files fail before they are decoded.
   * @default 100_000_000
   */
  readonly limitInputPixels?: number;
}

/** Default of {@link DecodeOptions.limitInputPixels}: 100 megapixels. */
export const DEFAULT_LIMIT_INPUT_PIXELS = 100_000_000;

/** PIL's ITU-R 601-2 luma in 16-bit fixed point (`L24` in libImaging/Convert.c): exact for 8-bit RGB. */
function luma8(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

/** Premultiplies by alpha onto black as PIL's paste with a mask does: round(c · a / 255). */
function onBlack8(c: number, a: number): number {
  return Math.round((c * a) / 255);
}

function imageError(file: string, what: string, cause?: unknown): EnvisionError {
  return new EnvisionError('E_IMAGE', `cannot read image ${file}: ${what}`, cause);
}

/** File name extensions taken to mean DICOM even without the Part-10 header (to name the problem). */
const DICOM_EXTENSIONS = new Set(['.dcm', '.dicom', '.dic']);

/**
 * Reads an image file (PNG, JPEG, whatever else sharp decodes, and DICOM) as one grey channel:
 *
 * - RGB → grey with PIL's `convert('L')` arithmetic (ITU-R 601-2 luma, `(19595 R + 38470 G + 7471 B + 2^15) >> 16`);
 * - an alpha channel is flattened onto black first (`round(c · a / 255)`, as PIL pastes with a mask);
 * - 16-bit files are scaled by 65535 to [0, 1] (luma `(299 R + 587 G + 114 B) / 1000` in floating point);
 * - embedded ICC profiles and EXIF orientation are ignored, as PIL does;
 * - a DICOM Part-10 file (recognised by `DICM` at byte 128, whatever its name) is read by `decodeDicomBytes`:
 *   rescale, VOI window or min–max, MONOCHROME1 inverted, floats in [0, 1] (`bitDepth: 'float'`).
 *
 * @param file - the image file
 * @param options - the pixel limit
 * @throws EnvisionError `E_IMAGE` (one line) for a missing file, a file that is not an image, a truncated or
 *   corrupt image, an image over the pixel limit, or a DICOM file with a compressed transfer syntax
 */
export async function decodeGrey(file: string, options: DecodeOptions = {}): Promise<GreyImage> {
  const pixels = await readPixels(file, options);
  if (pixels.kind === 'dicom') return { bitDepth: 'float', width: pixels.width, height: pixels.height, data: pixels.data };
  const { width, height, channels } = pixels;
  const n = width * height;
  if (pixels.kind === 'u16') return { bitDepth: 16, width, height, data: toGrey16(pixels.data, n, channels) };
  return { bitDepth: 8, width, height, data: toGrey8(pixels.data, n, channels) };
}

/** The pixels of an image file as they are stored: interleaved 8- or 16-bit channels, or a DICOM image in [0, 1]. */
export type StoredPixels =
  | { readonly kind: 'u8'; readonly width: number; readonly height: number; readonly channels: 1 | 3 | 4; readonly data: Uint8Array }
  | { readonly kind: 'u16'; readonly width: number; readonly height: number; readonly channels: 1 | 3 | 4; readonly data: Uint16Array }
  | { readonly kind: 'dicom'; readonly width: number; readonly height: number; readonly data: Float32Array };

/**
 * Reads an image file's pixels as stored — 1 (grey), 3 (RGB) or 4 (RGBA; grey with alpha is widened to RGBA) interleaved
 * 8- or 16-bit channels — or, for a DICOM Part-10 file, its grey image in [0, 1] (see {@link decodeGrey}). The checks
 * and errors are {@link decodeGrey}'s.
 *
 * @param file - the image file
 * @param options - the pixel limit
 */
export async function readPixels(file: string, options: DecodeOptions = {}): Promise<StoredPixels> {
  const limit = options.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS;
  try {
    if (!(await stat(file)).isFile()) throw imageError(file, 'not a file');
  } catch (e) {
    if (e instanceof EnvisionError) throw e;
    throw imageError(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describeCause(e), e);
  }
  let bytes: Uint8Array;
  try {
    bytes = await head(file, 132);
    if (isDicom(bytes)) bytes = await readFile(file);
  } catch (e) {
    throw imageError(file, describeCause(e), e);
  }
  if (isDicom(bytes)) {
    const { width, height, data } = decodeDicomBytes(bytes, file, { limitInputPixels: limit });
    return { kind: 'dicom', width, height, data };
  }
  if (DICOM_EXTENSIONS.has(extname(file).toLowerCase())) {
    throw imageError(file, "not a DICOM Part-10 file (no 'DICM' after the 128-byte preamble; a bare data set without file meta information is not supported)");
  }
  let meta: Metadata;
  try {
    // Header only: safe without a pixel limit, and it lets the limit message give the size.
    meta = await sharp(file, { limitInputPixels: false }).metadata();
  } catch (e) {
    const cause = describeCause(e);
    const what = /unsupported image format/i.test(cause) ? 'not an image (or a format sharp cannot decode)' : `corrupt or truncated image: ${cause}`;
    throw imageError(file, what, e);
  }
  const pixels = meta.width * meta.height;
  if (pixels > limit) {
    throw imageError(file, `image is ${meta.width}×${meta.height} = ${pixels} pixels, over the limit of ${limit} (option limitInputPixels)`);
  }
  const wide = meta.depth === 'ushort';
  // Grey with alpha goes through RGB(A): sharp's b-w conversion would drop the alpha channel.
  const grey = meta.channels === 1;
  const space = grey ? (wide ? 'grey16' : 'b-w') : wide ? 'rgb16' : 'srgb';
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await sharp(file, { ignoreIcc: true, limitInputPixels: limit, failOn: 'warning' })
      .toColourspace(space).raw({ depth: wide ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw imageError(file, `corrupt or truncated image: ${describeCause(e)}`, e);
  }
  const { width, height, channels } = raw.info;
  if (channels !== 1 && channels !== 3 && channels !== 4) throw imageError(file, `unsupported layout of ${channels} channels`);
  if (!wide) return { kind: 'u8', width, height, channels, data: raw.data };
  // Copy when the buffer is not 2-byte aligned (a Uint16Array view needs it); sharp's is native-endian.
  const aligned = raw.data.byteOffset % 2 === 0 ? raw.data : Uint8Array.from(raw.data);
  return { kind: 'u16', width, height, channels, data: new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2) };
}

/** The first `n` bytes of a file (fewer when it is shorter). */
async function head(file: string, n: number): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(n);
    const { bytesRead } = await handle.read(buffer, 0, n, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function toGrey8(src: Uint8Array, n: number, channels: number): Uint8Array {
  if (channels === 1) return Uint8Array.from(src.subarray(0, n));
  const out = new Uint8Array(n);
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    if (channels === 3) out[i] = luma8(src[p]!, src[p + 1]!, src[p + 2]!);
    else {
      const a = src[p + 3]!;
      out[i] = luma8(onBlack8(src[p]!, a), onBlack8(src[p + 1]!, a), onBlack8(src[p + 2]!, a));
    }
  }
  return out;
}

function toGrey16(src: Uint16Array, n: number, channels: number): Float32Array {
  const out = new Float32Array(n);
  const max = 65535;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    if (channels === 1) out[i] = src[p]! / max;
    else {
      const a = channels === 4 ? src[p + 3]! / max : 1;
      out[i] = (a * (299 * src[p]! + 587 * src[p + 1]! + 114 * src[p + 2]!)) / (1000 * max);
    }
  }
  return out;
}

import { readFile } from 'node:fs/promises';
import { EnvisionError, describeCause, type DType, type Tensor, sizeOf, tensor, writeFileAtomic } from '@envision/onnx-grad';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCR: Record<string, DType> = { '<f4': 'float32', '<f8': 'float64', '<i8': 'int64' };
const DESCR_OF: Record<DType, string> = { float32: '<f4', float64: '<f8', int64: '<i8' };
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int64: 8 };

function npyError(source: string, what: string): EnvisionError {
  return new EnvisionError('E_NPY', `${source}: not a valid npy file: ${what}`);
}

/**
 * Parses the bytes of an `.npy` file (format versions 1–3, little-endian float32, float64 or int64, C order).
 *
 * @param bytes - the whole file
 * @param source - the file name, used in error messages
 * @throws EnvisionError `E_NPY` naming the source and what is wrong with the header or data length
 */
export function parseNpy(bytes: Uint8Array, source = 'npy'): Tensor {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw npyError(source, 'missing \\x93NUMPY magic');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw npyError(source, `unsupported format version ${major}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw npyError(source, 'truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw npyError(source, 'header lacks descr, fortran_order or shape');
  }
  const dtype = DESCR[descr.replace(/^\|/, '<')];
  if (dtype === undefined) throw npyError(source, `dtype '${descr}' is not supported (use <f4, <f8 or <i8)`);
  if (fortran === 'True') throw npyError(source, 'Fortran order is not supported (save a C-contiguous array)');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw npyError(source, `bad shape (${shapeText})`);
  const offset = start + headerLen;
  const count = sizeOf(shape);
  const need = count * BYTES[dtype];
  if (bytes.length - offset !== need) {
    throw npyError(source, `shape (${shape.join(', ')}) needs ${need} data bytes, file has ${bytes.length - offset}`);
  }
  // Copy so the typed array is aligned whatever the header length (Buffer#slice would not copy).
  const data = new Uint8Array(bytes.subarray(offset, offset + need)).buffer;
  if (dtype === 'float32') return tensor('float32', shape, new Float32Array(data));
  if (dtype === 'float64') return tensor('float64', shape, new Float64Array(data));
  return tensor('int64', shape, new BigInt64Array(data));
}

/** Encodes a tensor as npy format version 1.0 bytes (little-endian, C order, header padded to 64 bytes). */
export function encodeNpy(t: Tensor): Uint8Array {
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${DESCR_OF[t.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const headerBytes = new TextEncoder().encode(header);
  const body = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint8Array(10 + headerBytes.length + body.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  out.set(body, 10 + headerBytes.length);
  return out;
}

/**
 * Reads an `.npy` file.
 * @throws EnvisionError `E_FILE` when the file cannot be read, `E_NPY` when it is malformed
 */
export async function readNpy(path: string): Promise<Tensor> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new EnvisionError('E_FILE', `cannot read ${path}: ${describeCause(e)}`, e);
  }
  return parseNpy(bytes, path);
}

/** Writes a tensor as an `.npy` file, atomically (temp file, then rename). */
export async function writeNpy(path: string, t: Tensor): Promise<void> {
  await writeFileAtomic(path, encodeNpy(t));
}

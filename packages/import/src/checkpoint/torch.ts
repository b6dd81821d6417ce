import { EnvisionError, type Tensor, tensor } from '@envision/core';
import { bfloat16ToFloat, halfToFloat } from '@envision/onnx-grad';
import { type PyValue, STORAGE_TYPES, type StorageRef, type TensorRef, unpickle } from './pickle.js';
import { type ZipArchive, type ZipEntry, looksLikeZip, openZip } from './zip.js';

/** One tensor of a {@link StateDict}: float32 for the floating storages, int64 for the integer and bool ones. */
export type StateDictTensor = Tensor<'float32'> | Tensor<'int64'>;

/**
 * A PyTorch state dict as Envision reads it, the one type the checkpoint reader returns and every graph builder
 * (BERT, ResNet, Swin) takes: parameter or buffer name → tensor, in the checkpoint's order. Floating storages
 * (float32, float64, float16, bfloat16) are read as float32, integer and bool storages as int64 (buffers such as
 * Swin's `relative_position_index` or BERT's `position_ids`).
 */
export type StateDict = ReadonlyMap<string, StateDictTensor>;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reads element `k` of a storage as a number (floats) or bigint (integers). */
function reader(type: string, view: DataView): (k: number) => number | bigint {
  switch (type) {
    case 'FloatStorage':
      return (k) => view.getFloat32(4 * k, true);
    case 'DoubleStorage':
      return (k) => view.getFloat64(8 * k, true);
    case 'HalfStorage':
      return (k) => halfToFloat(view.getUint16(2 * k, true));
    case 'BFloat16Storage':
      return (k) => bfloat16ToFloat(view.getUint16(2 * k, true));
    case 'LongStorage':
      return (k) => view.getBigInt64(8 * k, true);
    case 'IntStorage':
      return (k) => BigInt(view.getInt32(4 * k, true));
    case 'ShortStorage':
      return (k) => BigInt(view.getInt16(2 * k, true));
    case 'CharStorage':
      return (k) => BigInt(view.getInt8(k));
    case 'ByteStorage':
      return (k) => BigInt(view.getUint8(k));
    case 'BoolStorage':
      return (k) => (view.getUint8(k) === 0 ? 0n : 1n);
    default:
      throw new Error(`storage class ${type} is not supported`);
  }
}

/** Builds one tensor from its storage bytes, honouring offset and strides (non-contiguous views are copied). */
export function materialise(ref: TensorRef, bytes: Uint8Array, what: string): StateDictTensor {
  const { storage, offset, shape, stride } = ref;
  const info = STORAGE_TYPES[storage.type];
  if (info === undefined) throw new EnvisionError('E_BUNDLE', `${what}: storage class ${storage.type} is not supported`);
  if (bytes.byteLength < storage.numel * info.bytes) {
    throw new EnvisionError('E_BUNDLE', `${what}: storage '${storage.key}' holds ${bytes.byteLength} bytes, ${storage.numel} × ${storage.type} need ${storage.numel * info.bytes}`);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => d < 0) || stride.some((s) => s < 0) || offset < 0) throw new EnvisionError('E_BUNDLE', `${what}: negative size, stride or offset`);
  let last = offset;
  if (n > 0) shape.forEach((d, i) => (last += (d - 1) * stride[i]!));
  if (n > 0 && last >= storage.numel) throw new EnvisionError('E_BUNDLE', `${what}: the view [${shape.join(', ')}] (stride [${stride.join(', ')}], offset ${offset}) reaches beyond its storage of ${storage.numel} elements`);
  const isFloat = ['FloatStorage', 'DoubleStorage', 'HalfStorage', 'BFloat16Storage'].includes(storage.type);
  let contiguous = true;
  for (let i = shape.length - 1, want = 1; i >= 0; i--) {
    if (shape[i]! !== 1 && stride[i]! !== want) contiguous = false;
    want *= shape[i]!;
  }
  if (contiguous && storage.type === 'FloatStorage' && LITTLE_ENDIAN) {
    const start = bytes.byteOffset + 4 * offset;
    return tensor('float32', shape, new Float32Array(bytes.buffer.slice(start, start + 4 * n)));
  }
  if (contiguous && storage.type === 'LongStorage' && LITTLE_ENDIAN) {
    const start = bytes.byteOffset + 8 * offset;
    return tensor('int64', shape, new BigInt64Array(bytes.buffer.slice(start, start + 8 * n)));
  }
  const read = reader(storage.type, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const out = isFloat ? new Float32Array(n) : new BigInt64Array(n);
  const index = new Array<number>(shape.length).fill(0);
  let at = offset;
  for (let k = 0; k < n; k++) {
    const v = read(at);
    if (isFloat) (out as Float32Array)[k] = v as number;
    else (out as BigInt64Array)[k] = v as bigint;
    for (let i = shape.length - 1; i >= 0; i--) {
      index[i]!++;
      at += stride[i]!;
      if (index[i]! < shape[i]!) break;
      at -= shape[i]! * stride[i]!;
      index[i] = 0;
    }
  }
  return isFloat ? tensor('float32', shape, out as Float32Array) : tensor('int64', shape, out as BigInt64Array);
}

function isTensorRef(v: PyValue): v is TensorRef {
  return typeof v === 'object' && v !== null && (v as TensorRef).kind === 'tensor';
}

/** The single `<folder>/data.pkl` entry of a torch zip file, or undefined. */
function findDataPkl(zip: ZipArchive, source: string): ZipEntry | undefined {
  const found = zip.entries.filter((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (found.length > 1) throw new EnvisionError('E_BUNDLE', `${source} holds several data.pkl files (${found.map((e) => e.name).join(', ')})`);
  return found[0];
}

/**
 * Reads a torch ≥ 1.6 checkpoint held in memory: a torch zip file (`<folder>/data.pkl` and `<folder>/data/<key>`,
 * whatever the folder is called), or a zip holding exactly one such file (e.g. `pytorch_model.bin` inside
 * MedCLIP's `medclip-vit-pretrained.zip`). The pickle is read by a restricted unpickler that executes nothing.
 * @param bytes - the file's bytes
 * @param source - the file name, for messages
 * @returns the state dict, in the pickle's order
 * @throws EnvisionError `E_FILE` for a truncated or corrupt archive, `E_BUNDLE` for a zip without a checkpoint, a
 *   legacy (pre-1.6) checkpoint, a pickle that is not a plain state dict (any other global is named and refused),
 *   or a tensor whose storage is missing or too small
 */
export function readTorchCheckpoint(bytes: Uint8Array, source: string): StateDict {
  if (!looksLikeZip(bytes)) {
    if (bytes[0] === 0x80) throw new EnvisionError('E_BUNDLE', `${source} is a legacy (pre-1.6) torch pickle, not a zip file; re-save it with torch ≥ 1.6 (torch.save(torch.load(f), f))`);
    throw new EnvisionError('E_FILE', `${source} is not a zip file (a torch checkpoint or a zip holding one)`);
  }
  const zip = openZip(bytes, source);
  const pkl = findDataPkl(zip, source);
  if (pkl === undefined) {
    const inner = zip.entries.filter((e) => /\.(bin|pt|pth|ckpt)$/.test(e.name) && !e.name.endsWith('/'));
    if (inner.length === 1) return readTorchCheckpoint(zip.read(inner[0]!), `${source}: ${inner[0]!.name}`);
    const names = zip.entries.slice(0, 8).map((e) => e.name).join(', ');
    throw new EnvisionError(
      'E_BUNDLE',
      inner.length > 1
        ? `${source} holds several checkpoints (${inner.map((e) => e.name).join(', ')}); extract the one to import`
        : `${source} holds no data.pkl and no pytorch_model.bin: not a torch checkpoint (entries: ${names || 'none'})`,
    );
  }
  const folder = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const root = unpickle(zip.read(pkl), `${source}: ${pkl.name}`);
  if (!(root instanceof Map)) throw new EnvisionError('E_BUNDLE', `${source}: ${pkl.name} holds no dictionary: not a state dict`);
  const byName = new Map(zip.entries.map((e) => [e.name, e]));
  const storages = new Map<string, Uint8Array>();
  const out = new Map<string, StateDictTensor>();
  for (const [key, value] of root) {
    if (typeof key !== 'string') throw new EnvisionError('E_BUNDLE', `${source}: a state-dict key is not a string`);
    if (!isTensorRef(value)) throw new EnvisionError('E_BUNDLE', `${source}: '${key}' is not a tensor; a state dict holds only tensors`);
    const storage: StorageRef = value.storage;
    let data = storages.get(storage.key);
    if (data === undefined) {
      const entry = byName.get(`${folder}data/${storage.key}`);
      if (entry === undefined) throw new EnvisionError('E_BUNDLE', `${source}: tensor '${key}' needs ${folder}data/${storage.key}, which the archive lacks`);
      data = zip.read(entry);
      storages.set(storage.key, data);
    }
    out.set(key, materialise(value, data, `${source}: tensor '${key}'`));
  }
  return out;
}

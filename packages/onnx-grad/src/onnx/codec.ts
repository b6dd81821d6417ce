import protobuf from 'protobufjs';
import { EnvisionError, describeCause } from '../errors.js';
import { fromPlain, toPlain } from './convert.js';
import { onnxType } from './onnx-proto.js';
import type { GraphProto, ModelProto, TensorProto } from './types.js';

/**
 * Decodes the bytes of an ONNX model file into plain objects (see `types.ts` for the conventions). Fields unknown to
 * this schema are kept under `$unknowns`, so {@link encodeModel} writes them back.
 * @param bytes - the whole `.onnx` file; `bytes` fields of the result are views into it (do not reuse the buffer)
 * @param source - the file name or a description of where the bytes came from, for messages
 * @returns the model
 * @throws EnvisionError `E_ONNX` "`<source>` is not a valid ONNX model: …" when the bytes are not a protobuf
 *   ModelProto, are truncated, or lack `ir_version` or `graph`
 */
export function decodeModel(bytes: Uint8Array, source: string): ModelProto {
  const type = onnxType('ModelProto');
  let model: ModelProto;
  try {
    const reader = protobuf.Reader.create(bytes);
    reader.discardUnknown = false;
    const message = type.decode(reader);
    if (reader.pos !== reader.len) throw new Error(`decoding stopped at byte ${reader.pos} of ${reader.len}`);
    model = toPlain(type, message) as unknown as ModelProto;
  } catch (e) {
    throw new EnvisionError('E_ONNX', `${source} is not a valid ONNX model: ${describeCause(e)}`, e);
  }
  if (model.ir_version === undefined || model.ir_version < 1) {
    throw new EnvisionError('E_ONNX', `${source} is not a valid ONNX model: it has no ir_version`);
  }
  if (model.graph === undefined) throw new EnvisionError('E_ONNX', `${source} is not a valid ONNX model: it has no graph`);
  return model;
}

/**
 * Encodes a model to the bytes of an `.onnx` file. Fields are written in field-number order, with the packing
 * `onnx.proto` declares, followed by any `$unknowns`; a decoded model re-encodes to an equivalent file.
 * @param model - the model, as {@link decodeModel} returns it or as the builders make it
 * @returns the protobuf bytes
 * @throws EnvisionError `E_ONNX` naming the offending field when a value has the wrong type
 */
export function encodeModel(model: ModelProto): Uint8Array {
  const type = onnxType('ModelProto');
  try {
    const message = fromPlain(type, model);
    const problem = type.verify(message);
    if (problem !== null) throw new Error(problem);
    return type.encode(message).finish();
  } catch (e) {
    throw new EnvisionError('E_ONNX', `cannot encode ONNX model: ${describeCause(e)}`, e);
  }
}

/** Field numbers of `onnx.proto` the chunked encoder writes by hand. */
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;

/** A length-delimited field's key and length: (field << 3 | 2) and the length, both as varints. */
function lengthPrefix(field: number, length: number): Uint8Array {
  const bytes: number[] = [];
  for (let v of [(field << 3) | 2, length]) {
    while (v >= 0x80) {
      bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    bytes.push(v);
  }
  return Uint8Array.from(bytes);
}

/** Encodes one message of `onnx.proto` type `name`, as {@link encodeModel} does. */
function encodeMessage(name: string, value: object): Uint8Array {
  const type = onnxType(name);
  try {
    const message = fromPlain(type, value as Record<string, unknown>);
    const problem = type.verify(message);
    if (problem !== null) throw new Error(problem);
    return type.encode(message).finish();
  } catch (e) {
    throw new EnvisionError('E_ONNX', `cannot encode ONNX ${name}: ${describeCause(e)}`, e);
  }
}

const total = (chunks: readonly Uint8Array[]): number => chunks.reduce((n, c) => n + c.byteLength, 0);

/**
 * Encodes a model to the bytes of an `.onnx` file as a list of chunks whose concatenation is the file, without
 * copying the `raw_data` of initializers of at least `threshold` bytes: each is a chunk of its own, a view of the
 * tensor's data. Writing the chunks one after the other therefore needs no second copy of the weights (a ViT-B/16
 * tower is 344 MB). The file is the same model as {@link encodeModel}'s, with the large initializers last in the
 * graph and the graph last in the model (protobuf readers accept fields in any order).
 * @param model - the model
 * @param threshold - the smallest `raw_data` (bytes) written as a chunk of its own. @default 1024
 * @returns the chunks, in file order
 * @throws EnvisionError `E_ONNX` as {@link encodeModel}
 */
export function encodeModelChunks(model: ModelProto, threshold = 1024): Uint8Array[] {
  const graph = model.graph;
  const large = (t: TensorProto): boolean => (t.raw_data?.byteLength ?? 0) >= threshold;
  if (graph === undefined || !graph.initializer.some(large)) return [encodeModel(model)];
  const { graph: _graph, ...rest } = model;
  const head = encodeMessage('ModelProto', rest);
  const graphChunks: Uint8Array[] = [encodeMessage('GraphProto', { ...graph, initializer: graph.initializer.filter((t) => !large(t)) } satisfies GraphProto)];
  for (const t of graph.initializer.filter(large)) {
    const { raw_data: raw, ...fields } = t;
    const tensorHead = encodeMessage('TensorProto', fields);
    const rawPrefix = lengthPrefix(TENSOR_RAW_DATA, raw!.byteLength);
    graphChunks.push(lengthPrefix(GRAPH_INITIALIZER, tensorHead.byteLength + rawPrefix.byteLength + raw!.byteLength), tensorHead, rawPrefix, raw!);
  }
  return [head, lengthPrefix(MODEL_GRAPH, total(graphChunks)), ...graphChunks];
}

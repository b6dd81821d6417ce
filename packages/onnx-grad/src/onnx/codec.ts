import protobuf from 'protobufjs';
import { EnvisionError, describeCause } from '../errors.js';
import { fromPlain, toPlain } from './convert.js';
import { onnxType } from './onnx-proto.js';
import type { ModelProto } from './types.js';

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

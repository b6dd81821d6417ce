/**
 * Reading checkpoints and building ONNX graphs from their weights, without Python: a torch checkpoint reader (zip and
 * pickle, executing nothing), a validating safetensors reader, a state-dict view that checks and records every key
 * read, and the graph builder the model importers share.
 * @packageDocumentation
 */
export { GraphBuilder, linear, transpose2d, IMPORT_OPSET } from './graph.js';
export { Weights } from './weights.js';
export {
  readCheckpoint,
  readTorchCheckpoint,
  materialise,
  unpickle,
  STORAGE_TYPES,
  openZip,
  looksLikeZip,
  type StateDict,
  type StateDictTensor,
  type PyValue,
  type PyDict,
  type PyTuple,
  type PyGlobal,
  type StorageRef,
  type TensorRef,
  type ZipArchive,
  type ZipEntry,
} from './checkpoint/index.js';
export {
  readSafetensorsHeader,
  readSafetensors,
  readSafetensorsStateDict,
  LazySafetensors,
  encodeSafetensors,
  toFloat32,
  topLevelKeys,
  MAX_HEADER_BYTES,
  DTYPE_BYTES,
  type SafetensorsEntry,
  type SafetensorsFile,
} from './safetensors.js';
export { writeFolderAtomic, type FileContents } from './write-folder.js';
export { buildClipVision, buildClipText, buildSiglipVision, buildSiglipText, buildTimmVision, towerConfig, type TowerConfig, type TimmVisionOptions } from './clip.js';
export { MASKED, HF_LAYER, TIMM_BLOCK, type Activation, type EncoderSpec, type LayerNaming, activate, attention, dense, encoder, fusedPart, headsOf, layerNorm, projection } from './transformer.js';
export { buildBertText, type BertTextOptions } from './bert.js';

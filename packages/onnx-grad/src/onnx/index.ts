export * from './types.js';
export { ONNX_PROTO, onnxSchema, onnxType } from './onnx-proto.js';
export { decodeModel, encodeModel, encodeModelChunks } from './codec.js';
export { DataType, dataTypeName, dataTypeOf, tensorFromProto, tensorToProto, halfToFloat, bfloat16ToFloat } from './tensor-proto.js';
export {
  AttributeType,
  attrFloat,
  attrFloats,
  attrGraph,
  attrInt,
  attrInts,
  attrString,
  attrStrings,
  attrTensor,
  attributeType,
  describeNode,
  findAttribute,
} from './attr.js';
export { Attr, type AttributeInput, type AttributeFields, DEFAULT_IR_VERSION, makeAttribute, makeGraph, makeModel, makeNode, makeTensorValueInfo } from './build.js';

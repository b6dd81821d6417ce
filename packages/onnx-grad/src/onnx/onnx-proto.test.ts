import { describe, it, expect } from 'vitest';
import protobuf from 'protobufjs';
import { AttributeType } from './attr.js';
import { ONNX_PROTO, onnxSchema, onnxType } from './onnx-proto.js';
import { DataType } from './tensor-proto.js';

const MESSAGES = [
  'ModelProto',
  'GraphProto',
  'NodeProto',
  'AttributeProto',
  'ValueInfoProto',
  'TensorProto',
  'TensorProto.Segment',
  'SparseTensorProto',
  'TensorShapeProto',
  'TensorShapeProto.Dimension',
  'TypeProto',
  'TypeProto.Tensor',
  'TypeProto.Sequence',
  'TypeProto.Map',
  'TypeProto.Optional',
  'TypeProto.SparseTensor',
  'TypeProto.Opaque',
  'OperatorSetIdProto',
  'FunctionProto',
  'StringStringEntryProto',
  'TensorAnnotation',
  'TrainingInfoProto',
  'DeviceConfigurationProto',
  'NodeDeviceConfigurationProto',
  'ShardingSpecProto',
  'ShardedDimProto',
  'SimpleShardedDimProto',
  'IntIntListEntryProto',
];

// [message, field, number, type] as onnx/onnx.proto (IR 13) declares them.
const FIELDS: readonly (readonly [string, string, number, string])[] = [
  ['ModelProto', 'ir_version', 1, 'int64'],
  ['ModelProto', 'opset_import', 8, 'OperatorSetIdProto'],
  ['ModelProto', 'graph', 7, 'GraphProto'],
  ['ModelProto', 'metadata_props', 14, 'StringStringEntryProto'],
  ['ModelProto', 'training_info', 20, 'TrainingInfoProto'],
  ['ModelProto', 'functions', 25, 'FunctionProto'],
  ['ModelProto', 'configuration', 26, 'DeviceConfigurationProto'],
  ['GraphProto', 'initializer', 5, 'TensorProto'],
  ['GraphProto', 'sparse_initializer', 15, 'SparseTensorProto'],
  ['GraphProto', 'input', 11, 'ValueInfoProto'],
  ['GraphProto', 'quantization_annotation', 14, 'TensorAnnotation'],
  ['GraphProto', 'metadata_props', 16, 'StringStringEntryProto'],
  ['NodeProto', 'domain', 7, 'string'],
  ['NodeProto', 'overload', 8, 'string'],
  ['NodeProto', 'metadata_props', 9, 'StringStringEntryProto'],
  ['NodeProto', 'device_configurations', 10, 'NodeDeviceConfigurationProto'],
  ['AttributeProto', 'ref_attr_name', 21, 'string'],
  ['AttributeProto', 'type', 20, 'AttributeType'],
  ['AttributeProto', 'i', 3, 'int64'],
  ['AttributeProto', 'sparse_tensor', 22, 'SparseTensorProto'],
  ['AttributeProto', 'tp', 14, 'TypeProto'],
  ['AttributeProto', 'sparse_tensors', 23, 'SparseTensorProto'],
  ['AttributeProto', 'type_protos', 15, 'TypeProto'],
  ['TensorProto', 'segment', 3, 'Segment'],
  ['TensorProto', 'raw_data', 9, 'bytes'],
  ['TensorProto', 'double_data', 10, 'double'],
  ['TensorProto', 'uint64_data', 11, 'uint64'],
  ['TensorProto', 'external_data', 13, 'StringStringEntryProto'],
  ['TensorProto', 'data_location', 14, 'DataLocation'],
  ['TensorProto', 'metadata_props', 16, 'StringStringEntryProto'],
  ['TensorShapeProto.Dimension', 'dim_param', 2, 'string'],
  ['TensorShapeProto.Dimension', 'denotation', 3, 'string'],
  ['TypeProto', 'optional_type', 9, 'Optional'],
  ['TypeProto', 'sparse_tensor_type', 8, 'SparseTensor'],
  ['TypeProto', 'opaque_type', 7, 'Opaque'],
  ['FunctionProto', 'attribute_proto', 11, 'AttributeProto'],
  ['FunctionProto', 'overload', 13, 'string'],
  ['FunctionProto', 'value_info', 12, 'ValueInfoProto'],
  ['ValueInfoProto', 'metadata_props', 4, 'StringStringEntryProto'],
  ['DeviceConfigurationProto', 'num_devices', 2, 'int32'],
  ['ShardingSpecProto', 'index_to_device_group_map', 3, 'IntIntListEntryProto'],
  ['SimpleShardedDimProto', 'num_shards', 3, 'int64'],
];

describe('ONNX schema', () => {
  it('is parsed once, keeping snake_case names', () => {
    expect(onnxSchema()).toBe(onnxSchema());
    expect(onnxType('ModelProto').fields['opset_import']).toBeDefined();
    expect(ONNX_PROTO).toContain('syntax = "proto2"');
  });

  it('holds every message of onnx.proto', () => {
    for (const name of MESSAGES) expect(() => onnxType(name), name).not.toThrow();
  });

  it('uses the field numbers and types of onnx.proto', () => {
    for (const [message, field, id, type] of FIELDS) {
      const f = onnxType(message).fields[field];
      expect(f, `${message}.${field}`).toBeDefined();
      expect([f!.id, f!.type], `${message}.${field}`).toEqual([id, type]);
    }
  });

  it('packs the typed data fields of TensorProto and nothing else, as onnx.proto does', () => {
    const packed = MESSAGES.flatMap((m) => onnxType(m).fieldsArray.filter((f) => f.packed).map((f) => f.fullName));
    expect(packed.sort()).toEqual(
      ['double_data', 'float_data', 'int32_data', 'int64_data', 'uint64_data'].map((n) => `.onnx.TensorProto.${n}`),
    );
  });

  it('lists every message type of the schema above', () => {
    const all = (ns: protobuf.NamespaceBase): string[] =>
      ns.nestedArray.flatMap((o) => [
        ...(o instanceof protobuf.Type ? [o.fullName.replace('.onnx.', '')] : []),
        ...(o instanceof protobuf.Namespace ? all(o) : []),
      ]);
    expect(all(onnxSchema().lookup('onnx') as protobuf.Namespace).sort()).toEqual([...MESSAGES].sort());
  });

  it('agrees with the DataType and AttributeType constants', () => {
    expect(onnxSchema().lookupEnum('onnx.TensorProto.DataType').values).toEqual(DataType);
    expect(onnxSchema().lookupEnum('onnx.AttributeProto.AttributeType').values).toEqual(AttributeType);
  });
});

/**
 * Plain-object views of the ONNX protobuf messages, as {@link decodeModel} returns them and {@link encodeModel} takes
 * them. Field names are those of `onnx.proto` (snake_case).
 *
 * Conventions, the same for every message:
 * - a singular field is present only if it was in the bytes (no defaults are filled in);
 * - a repeated field is always an array, empty when absent;
 * - `bytes` fields are `Uint8Array` views into the decoded buffer: not copied and not aligned;
 * - int64 fields that carry values are `bigint` (exact): {@link TensorProto.int64_data},
 *   {@link TensorProto.uint64_data}, {@link AttributeProto.i} and {@link AttributeProto.ints}; every other int64
 *   field (dims, dim values, versions, axes…) is a `number` and decoding fails if one is not a safe integer;
 * - enums are their numbers;
 * - `$unknowns` holds, verbatim, fields this schema does not know (from a newer ONNX), and encoding writes them back.
 *
 * @packageDocumentation
 */

/** Fields carried by every message: the raw bytes of fields unknown to this schema, kept for the round trip. */
export interface ProtoMessage {
  /** Encoded fields (tag and value) this schema does not know, written back verbatim at the end of the message. */
  $unknowns?: Uint8Array[];
}

/** `onnx.ModelProto`: a model file. */
export interface ModelProto extends ProtoMessage {
  /** IR version the model targets. */
  ir_version?: number;
  /** Operator sets the model imports; the default domain is `''` (or absent). */
  opset_import: OperatorSetIdProto[];
  /** Tool that produced the model. */
  producer_name?: string;
  /** Version of that tool. */
  producer_version?: string;
  /** Reverse-DNS domain of the model. */
  domain?: string;
  /** Version of the model. */
  model_version?: number;
  /** Documentation. */
  doc_string?: string;
  /** The main graph. */
  graph?: GraphProto;
  /** Named metadata. */
  metadata_props: StringStringEntryProto[];
  /** Training information. */
  training_info: TrainingInfoProto[];
  /** Model-local functions. */
  functions: FunctionProto[];
  /** Multi-device configurations (IR 11). */
  configuration: DeviceConfigurationProto[];
}

/** The model type {@link decodeModel} returns (the same as {@link ModelProto}). */
export type OnnxModelProto = ModelProto;

/** `onnx.GraphProto`: a graph of nodes with inputs, outputs and initializers. */
export interface GraphProto extends ProtoMessage {
  /** Nodes, in topological order. */
  node: NodeProto[];
  /** Graph name. */
  name?: string;
  /** Constant tensors, by name. */
  initializer: TensorProto[];
  /** Constant tensors stored sparse. */
  sparse_initializer: SparseTensorProto[];
  /** Documentation. */
  doc_string?: string;
  /** Graph inputs (they may include initializer names). */
  input: ValueInfoProto[];
  /** Graph outputs. */
  output: ValueInfoProto[];
  /** Types and shapes of intermediate values. */
  value_info: ValueInfoProto[];
  /** Quantization parameters of tensors. */
  quantization_annotation: TensorAnnotation[];
  /** Named metadata. */
  metadata_props: StringStringEntryProto[];
}

/** `onnx.NodeProto`: one operator call. */
export interface NodeProto extends ProtoMessage {
  /** Input value names; `''` marks an omitted optional input. */
  input: string[];
  /** Output value names. */
  output: string[];
  /** Node name (optional in ONNX). */
  name?: string;
  /** Operator name, e.g. `Conv`. */
  op_type?: string;
  /** Operator-set domain; absent or `''` is the default ONNX domain. */
  domain?: string;
  /** Overload identifier of a model-local function. */
  overload?: string;
  /** Attributes. */
  attribute: AttributeProto[];
  /** Documentation. */
  doc_string?: string;
  /** Named metadata. */
  metadata_props: StringStringEntryProto[];
  /** Multi-device annotations (IR 11). */
  device_configurations: NodeDeviceConfigurationProto[];
}

/** `onnx.AttributeProto`: a named attribute of a node; `type` says which value field is used. */
export interface AttributeProto extends ProtoMessage {
  /** Attribute name. */
  name?: string;
  /** In a function body: the name of the caller's attribute this one refers to. */
  ref_attr_name?: string;
  /** Documentation. */
  doc_string?: string;
  /** Which value field is used: one of {@link AttributeType}. */
  type?: number;
  /** FLOAT value. */
  f?: number;
  /** INT value (exact). */
  i?: bigint;
  /** STRING value (UTF-8 bytes). */
  s?: Uint8Array;
  /** TENSOR value. */
  t?: TensorProto;
  /** GRAPH value. */
  g?: GraphProto;
  /** SPARSE_TENSOR value. */
  sparse_tensor?: SparseTensorProto;
  /** TYPE_PROTO value. */
  tp?: TypeProto;
  /** FLOATS value. */
  floats: number[];
  /** INTS value (exact). */
  ints: bigint[];
  /** STRINGS value (UTF-8 bytes each). */
  strings: Uint8Array[];
  /** TENSORS value. */
  tensors: TensorProto[];
  /** GRAPHS value. */
  graphs: GraphProto[];
  /** SPARSE_TENSORS value. */
  sparse_tensors: SparseTensorProto[];
  /** TYPE_PROTOS value. */
  type_protos: TypeProto[];
}

/** `onnx.ValueInfoProto`: the name, type and shape of a value. */
export interface ValueInfoProto extends ProtoMessage {
  /** Value name. */
  name?: string;
  /** Type (and shape). */
  type?: TypeProto;
  /** Documentation. */
  doc_string?: string;
  /** Named metadata. */
  metadata_props: StringStringEntryProto[];
}

/** `onnx.TensorProto.Segment`: the part of a large tensor stored in this message. */
export interface TensorProtoSegment extends ProtoMessage {
  /** First element. */
  begin?: number;
  /** End element. */
  end?: number;
}

/** `onnx.TensorProto`: a dense tensor value (initializer or constant). */
export interface TensorProto extends ProtoMessage {
  /** Shape; `[]` is a scalar. */
  dims: number[];
  /** Element type: one of {@link DataType}. */
  data_type?: number;
  /** Segment of a chunked tensor. */
  segment?: TensorProtoSegment;
  /** FLOAT / COMPLEX64 elements. */
  float_data: number[];
  /** INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16 (bits)… elements. */
  int32_data: number[];
  /** STRING elements (UTF-8 bytes). */
  string_data: Uint8Array[];
  /** INT64 elements (exact). */
  int64_data: bigint[];
  /** Tensor name (the value name of an initializer). */
  name?: string;
  /** Documentation. */
  doc_string?: string;
  /** Elements as fixed-width little-endian bytes; a view that may start at any byte offset. */
  raw_data?: Uint8Array;
  /** Where external data lives (`location`, `offset`, `length`, `checksum`). */
  external_data: StringStringEntryProto[];
  /** 0 = DEFAULT (in this message), 1 = EXTERNAL. */
  data_location?: number;
  /** DOUBLE / COMPLEX128 elements. */
  double_data: number[];
  /** UINT32 / UINT64 elements (exact). */
  uint64_data: bigint[];
  /** Named metadata. */
  metadata_props: StringStringEntryProto[];
}

/** `onnx.SparseTensorProto`: a sparse tensor as values and indices. */
export interface SparseTensorProto extends ProtoMessage {
  /** Non-default values, shape `[NNZ]`. */
  values?: TensorProto;
  /** Indices, shape `[NNZ, rank]` or `[NNZ]` (linearized). */
  indices?: TensorProto;
  /** Dense shape. */
  dims: number[];
}

/** `onnx.TensorShapeProto.Dimension`: a fixed size (`dim_value`), a symbol (`dim_param`) or neither (unknown). */
export interface TensorShapeDimension extends ProtoMessage {
  /** Fixed size. */
  dim_value?: number;
  /** Symbolic size. */
  dim_param?: string;
  /** Standard denotation of the axis. */
  denotation?: string;
}

/** `onnx.TensorShapeProto`: a shape of known rank. */
export interface TensorShapeProto extends ProtoMessage {
  /** One entry per axis. */
  dim: TensorShapeDimension[];
}

/** `onnx.TypeProto.Tensor` (also used for `TypeProto.SparseTensor`). */
export interface TypeProtoTensor extends ProtoMessage {
  /** Element type: one of {@link DataType}. */
  elem_type?: number;
  /** Shape; absent means unknown rank. */
  shape?: TensorShapeProto;
}

/** `onnx.TypeProto.Sequence`. */
export interface TypeProtoSequence extends ProtoMessage {
  /** Element type. */
  elem_type?: TypeProto;
}

/** `onnx.TypeProto.Map`. */
export interface TypeProtoMap extends ProtoMessage {
  /** Key element type: one of {@link DataType}. */
  key_type?: number;
  /** Value type. */
  value_type?: TypeProto;
}

/** `onnx.TypeProto.Optional`. */
export interface TypeProtoOptional extends ProtoMessage {
  /** Wrapped type. */
  elem_type?: TypeProto;
}

/** `onnx.TypeProto.Opaque` (ONNX-ML). */
export interface TypeProtoOpaque extends ProtoMessage {
  /** Domain. */
  domain?: string;
  /** Name. */
  name?: string;
}

/** `onnx.TypeProto`: the type of a value; one of the `*_type` fields is set. */
export interface TypeProto extends ProtoMessage {
  /** A tensor. */
  tensor_type?: TypeProtoTensor;
  /** A sequence. */
  sequence_type?: TypeProtoSequence;
  /** A map. */
  map_type?: TypeProtoMap;
  /** An optional. */
  optional_type?: TypeProtoOptional;
  /** A sparse tensor. */
  sparse_tensor_type?: TypeProtoTensor;
  /** An opaque type (ONNX-ML). */
  opaque_type?: TypeProtoOpaque;
  /** Standard denotation of the type. */
  denotation?: string;
}

/** `onnx.OperatorSetIdProto`: an imported operator set. */
export interface OperatorSetIdProto extends ProtoMessage {
  /** Domain; absent or `''` is the default ONNX domain (`ai.onnx`). */
  domain?: string;
  /** Operator-set version. */
  version?: number;
}

/** `onnx.StringStringEntryProto`: one key–value pair. */
export interface StringStringEntryProto extends ProtoMessage {
  /** Key. */
  key?: string;
  /** Value. */
  value?: string;
}

/** `onnx.TensorAnnotation`: quantization parameters of one tensor. */
export interface TensorAnnotation extends ProtoMessage {
  /** The annotated tensor. */
  tensor_name?: string;
  /** Parameter names, e.g. `SCALE_TENSOR` → name of the scale tensor. */
  quant_parameter_tensor_names: StringStringEntryProto[];
}

/** `onnx.TrainingInfoProto`: initialization and training-step graphs. */
export interface TrainingInfoProto extends ProtoMessage {
  /** Graph computing initial values. */
  initialization?: GraphProto;
  /** Graph of one training step. */
  algorithm?: GraphProto;
  /** Initializer ← initialization output. */
  initialization_binding: StringStringEntryProto[];
  /** Initializer ← algorithm output. */
  update_binding: StringStringEntryProto[];
}

/** `onnx.FunctionProto`: a model-local function. */
export interface FunctionProto extends ProtoMessage {
  /** Function name (the op_type that calls it). */
  name?: string;
  /** Formal inputs. */
  input: string[];
  /** Formal outputs. */
  output: string[];
  /** Attribute parameters without defaults. */
  attribute: string[];
  /** Attribute parameters with defaults. */
  attribute_proto: AttributeProto[];
  /** Body. */
  node: NodeProto[];
  /** Documentation. */
  doc_string?: string;
  /** Operator sets the body imports. */
  opset_import: OperatorSetIdProto[];
  /** Domain of the function. */
  domain?: string;
  /** Overload identifier. */
  overload?: string;
  /** Types of values in the body. */
  value_info: ValueInfoProto[];
  /** Named metadata. */
  metadata_props: StringStringEntryProto[];
}

/** `onnx.DeviceConfigurationProto`: a named set of devices (IR 11). */
export interface DeviceConfigurationProto extends ProtoMessage {
  /** Configuration name. */
  name?: string;
  /** Number of devices. */
  num_devices?: number;
  /** Device names. */
  device: string[];
}

/** `onnx.NodeDeviceConfigurationProto`: how one node runs under one configuration (IR 11). */
export interface NodeDeviceConfigurationProto extends ProtoMessage {
  /** Name of a {@link DeviceConfigurationProto}. */
  configuration_id?: string;
  /** Sharding of the node's tensors. */
  sharding_spec: ShardingSpecProto[];
  /** Pipeline stage. */
  pipeline_stage?: number;
}

/** `onnx.ShardingSpecProto`: the sharding of one input or output tensor (IR 11). */
export interface ShardingSpecProto extends ProtoMessage {
  /** The sharded tensor. */
  tensor_name?: string;
  /** Devices (or device groups) holding the shards. */
  device: number[];
  /** Device group → devices. */
  index_to_device_group_map: IntIntListEntryProto[];
  /** Sharding of each axis. */
  sharded_dim: ShardedDimProto[];
}

/** `onnx.IntIntListEntryProto`: one key → list entry (IR 11). */
export interface IntIntListEntryProto extends ProtoMessage {
  /** Key. */
  key?: number;
  /** Values. */
  value: number[];
}

/** `onnx.ShardedDimProto`: the sharding of one axis (IR 11). */
export interface ShardedDimProto extends ProtoMessage {
  /** Axis. */
  axis?: number;
  /** Simple shardings, several when axes were fused. */
  simple_sharding: SimpleShardedDimProto[];
}

/** `onnx.SimpleShardedDimProto`: a dimension split into `num_shards` shards (IR 11). */
export interface SimpleShardedDimProto extends ProtoMessage {
  /** Fixed size. */
  dim_value?: number;
  /** Symbolic size. */
  dim_param?: string;
  /** Number of shards. */
  num_shards?: number;
}

import { AttributeType } from './attr.js';
import type {
  AttributeProto,
  GraphProto,
  ModelProto,
  NodeProto,
  OperatorSetIdProto,
  TensorProto,
  TensorShapeDimension,
  ValueInfoProto,
} from './types.js';

/** The IR version {@link makeModel} writes unless told otherwise (ONNX 1.16; onnxruntime ≥ 1.18 reads it). */
export const DEFAULT_IR_VERSION = 10;

/** The value fields of an attribute (everything but its name). */
export type AttributeFields = Omit<AttributeProto, 'name'>;

/**
 * An attribute value with an explicit kind, for the cases plain JavaScript values leave ambiguous: an integer given
 * as a `number` (`Attr.int(1)`), an empty list (`Attr.ints([])`), a graph.
 */
export class Attr {
  private constructor(
    /** The value fields of the attribute, `type` included. */
    readonly fields: AttributeFields,
  ) {}

  /**
   * An INT attribute.
   * @param v - a safe integer or a bigint
   * @returns the attribute value
   */
  static int(v: number | bigint): Attr {
    return new Attr({ ...empty(), type: AttributeType.INT, i: toInt64(v) });
  }

  /**
   * An INTS attribute.
   * @param v - safe integers or bigints
   * @returns the attribute value
   */
  static ints(v: readonly (number | bigint)[]): Attr {
    return new Attr({ ...empty(), type: AttributeType.INTS, ints: v.map(toInt64) });
  }

  /**
   * A FLOAT attribute (stored as float32).
   * @param v - the value
   * @returns the attribute value
   */
  static float(v: number): Attr {
    return new Attr({ ...empty(), type: AttributeType.FLOAT, f: v });
  }

  /**
   * A FLOATS attribute (stored as float32).
   * @param v - the values
   * @returns the attribute value
   */
  static floats(v: readonly number[]): Attr {
    return new Attr({ ...empty(), type: AttributeType.FLOATS, floats: [...v] });
  }

  /**
   * A STRING attribute.
   * @param v - a string (written as UTF-8) or raw bytes
   * @returns the attribute value
   */
  static string(v: string | Uint8Array): Attr {
    return new Attr({ ...empty(), type: AttributeType.STRING, s: typeof v === 'string' ? utf8.encode(v) : v });
  }

  /**
   * A STRINGS attribute.
   * @param v - strings, written as UTF-8
   * @returns the attribute value
   */
  static strings(v: readonly string[]): Attr {
    return new Attr({ ...empty(), type: AttributeType.STRINGS, strings: v.map((s) => utf8.encode(s)) });
  }

  /**
   * A TENSOR attribute.
   * @param t - the tensor
   * @returns the attribute value
   */
  static tensor(t: TensorProto): Attr {
    return new Attr({ ...empty(), type: AttributeType.TENSOR, t });
  }

  /**
   * A GRAPH attribute.
   * @param g - the graph
   * @returns the attribute value
   */
  static graph(g: GraphProto): Attr {
    return new Attr({ ...empty(), type: AttributeType.GRAPH, g });
  }
}

/**
 * What {@link makeNode} accepts as an attribute value. The kind follows the JavaScript type, never the value:
 * - `bigint` → INT, `bigint[]` → INTS (`{ axis: 1n, perm: [0n, 2n, 1n] }`);
 * - `number` → FLOAT, `number[]` → FLOATS, always, even for `1` (`{ alpha: 0.5, beta: 1 }`): an integer attribute
 *   given as a number becomes a FLOAT, which onnxruntime rejects when it loads the model, so it cannot pass silently;
 * - `string` → STRING, `string[]` → STRINGS;
 * - a TensorProto (an object with `dims` and `data_type`) → TENSOR;
 * - an {@link Attr} → exactly that (`Attr.int(1)`, `Attr.ints([])`, `Attr.graph(g)`);
 * - `undefined` → the attribute is left out.
 * An empty array is refused as ambiguous: use `Attr.ints([])` or `Attr.floats([])`.
 */
export type AttributeInput =
  | Attr
  | bigint
  | number
  | string
  | readonly bigint[]
  | readonly number[]
  | readonly string[]
  | TensorProto
  | undefined;

const utf8 = new TextEncoder();

function empty(): AttributeFields {
  return { floats: [], ints: [], strings: [], tensors: [], graphs: [], sparse_tensors: [], type_protos: [] };
}

function toInt64(v: number | bigint): bigint {
  if (typeof v === 'bigint') return v;
  if (!Number.isSafeInteger(v)) throw new RangeError(`${v} is not a safe integer: give it as a bigint`);
  return BigInt(v);
}

function isTensorProto(v: object): v is TensorProto {
  return Array.isArray((v as TensorProto).dims) && typeof (v as TensorProto).data_type === 'number';
}

/**
 * Builds one attribute; see {@link AttributeInput} for how the kind is chosen.
 * @param name - the attribute name
 * @param value - the value
 * @returns the AttributeProto
 * @throws TypeError naming the attribute when the kind cannot be told (empty or mixed array, unknown object)
 */
export function makeAttribute(name: string, value: Exclude<AttributeInput, undefined>): AttributeProto {
  const fields = attributeFields(name, value);
  return { name, ...fields };
}

function attributeFields(name: string, value: Exclude<AttributeInput, undefined>): AttributeFields {
  if (value instanceof Attr) return value.fields;
  if (typeof value === 'bigint') return Attr.int(value).fields;
  if (typeof value === 'number') return Attr.float(value).fields;
  if (typeof value === 'string') return Attr.string(value).fields;
  if (Array.isArray(value)) {
    const list = value as readonly unknown[];
    if (list.length === 0) throw new TypeError(`attribute '${name}': an empty list has no kind; use Attr.ints([]) or Attr.floats([])`);
    if (list.every((v) => typeof v === 'bigint')) return Attr.ints(list as bigint[]).fields;
    if (list.every((v) => typeof v === 'number')) return Attr.floats(list as number[]).fields;
    if (list.every((v) => typeof v === 'string')) return Attr.strings(list as string[]).fields;
    throw new TypeError(`attribute '${name}': a list must be all bigint (INTS), all number (FLOATS) or all string (STRINGS)`);
  }
  if (typeof value === 'object' && isTensorProto(value)) return Attr.tensor(value).fields;
  throw new TypeError(`attribute '${name}': cannot tell the kind of this value; wrap it with Attr.int/ints/float/floats/string/strings/tensor/graph`);
}

/**
 * Builds a node.
 * @param opType - the operator, e.g. `MatMul`
 * @param inputs - input value names (`''` for an omitted optional input)
 * @param outputs - output value names
 * @param attributes - attributes by name; see {@link AttributeInput} for how each kind is chosen
 * @param name - the node name (recommended: unique in the graph)
 * @param domain - the operator-set domain; omitted means the default ONNX domain
 * @returns the NodeProto
 * @throws TypeError naming the attribute whose kind cannot be told
 */
export function makeNode(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Readonly<Record<string, AttributeInput>> = {},
  name?: string,
  domain?: string,
): NodeProto {
  const attribute = Object.entries(attributes)
    .filter((e): e is [string, Exclude<AttributeInput, undefined>] => e[1] !== undefined)
    .map(([key, value]) => makeAttribute(key, value));
  return {
    input: [...inputs],
    output: [...outputs],
    ...(name === undefined ? {} : { name }),
    op_type: opType,
    ...(domain === undefined ? {} : { domain }),
    attribute,
    metadata_props: [],
    device_configurations: [],
  };
}

/**
 * Describes a tensor value (a graph input or output, or an intermediate in `value_info`).
 * @param name - the value name
 * @param elemType - the element type, one of `DataType` (e.g. `DataType.FLOAT`)
 * @param shape - one entry per axis: a number (fixed), a string (symbolic) or `null` (unknown); omit it when even
 *   the rank is unknown
 * @returns the ValueInfoProto
 */
export function makeTensorValueInfo(name: string, elemType: number, shape?: readonly (number | string | null)[]): ValueInfoProto {
  const dims = shape?.map((d): TensorShapeDimension => (d === null ? {} : typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return {
    name,
    type: { tensor_type: { elem_type: elemType, ...(dims === undefined ? {} : { shape: { dim: dims } }) } },
    metadata_props: [],
  };
}

/**
 * Builds a graph.
 * @param nodes - the nodes, in topological order
 * @param name - the graph name
 * @param inputs - the graph inputs (not the initializers)
 * @param outputs - the graph outputs
 * @param initializers - constant tensors, each named by the value it defines
 * @param valueInfo - types of intermediate values, if known
 * @returns the GraphProto
 */
export function makeGraph(
  nodes: readonly NodeProto[],
  name: string,
  inputs: readonly ValueInfoProto[],
  outputs: readonly ValueInfoProto[],
  initializers: readonly TensorProto[] = [],
  valueInfo: readonly ValueInfoProto[] = [],
): GraphProto {
  return {
    node: [...nodes],
    name,
    initializer: [...initializers],
    sparse_initializer: [],
    input: [...inputs],
    output: [...outputs],
    value_info: [...valueInfo],
    quantization_annotation: [],
    metadata_props: [],
  };
}

/**
 * Builds a model around a graph.
 * @param graph - the main graph
 * @param opsetImports - operator sets, either as entries (e.g. a forward model's `opset_import`, copied) or as
 *   `{ domain: version }` where `''` is the default ONNX domain, e.g. `{ '': 17 }`
 * @param irVersion - the IR version; pass the forward model's `ir_version` when deriving from one
 * @returns the ModelProto, with `producer_name` `envision`
 */
export function makeModel(
  graph: GraphProto,
  opsetImports: readonly OperatorSetIdProto[] | Readonly<Record<string, number>>,
  irVersion: number = DEFAULT_IR_VERSION,
): ModelProto {
  const opset_import: OperatorSetIdProto[] = Array.isArray(opsetImports)
    ? opsetImports.map((o: OperatorSetIdProto) => ({ ...o }))
    : Object.entries(opsetImports).map(([domain, version]) => (domain === '' ? { version } : { domain, version }));
  return {
    ir_version: irVersion,
    opset_import,
    producer_name: 'envision',
    graph,
    metadata_props: [],
    training_info: [],
    functions: [],
    configuration: [],
  };
}

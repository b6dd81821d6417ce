import { EnvisionError } from '../errors.js';
import type { AttributeProto, GraphProto, NodeProto, TensorProto } from './types.js';

/** The value kinds of `onnx.AttributeProto.AttributeType`, by name. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

/** One `onnx.AttributeProto.AttributeType` number. */
export type AttributeType = (typeof AttributeType)[keyof typeof AttributeType];

/**
 * Names a node for messages: `node '/conv1/Conv' (Conv)`, or `Conv node with outputs [y]` when it has no name.
 * @param node - the node
 * @returns a short description
 */
export function describeNode(node: NodeProto): string {
  const op = node.op_type ?? '?';
  return node.name ? `node '${node.name}' (${op})` : `${op} node with outputs [${node.output.join(', ')}]`;
}

/**
 * The attribute of a node with this name.
 * @param node - the node
 * @param name - the attribute name
 * @returns the attribute, or `undefined` when the node has none so named
 */
export function findAttribute(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

/**
 * The kind of an attribute: its `type`, or for files older than IR 2 (no `type`), the value field that is set.
 * @param a - the attribute
 * @returns one of {@link AttributeType}
 */
export function attributeType(a: AttributeProto): AttributeType {
  if (a.type !== undefined && a.type !== AttributeType.UNDEFINED) return a.type as AttributeType;
  if (a.f !== undefined) return AttributeType.FLOAT;
  if (a.i !== undefined) return AttributeType.INT;
  if (a.s !== undefined) return AttributeType.STRING;
  if (a.t !== undefined) return AttributeType.TENSOR;
  if (a.g !== undefined) return AttributeType.GRAPH;
  if (a.floats.length > 0) return AttributeType.FLOATS;
  if (a.ints.length > 0) return AttributeType.INTS;
  if (a.strings.length > 0) return AttributeType.STRINGS;
  if (a.tensors.length > 0) return AttributeType.TENSORS;
  if (a.graphs.length > 0) return AttributeType.GRAPHS;
  return AttributeType.UNDEFINED;
}

function typeName(t: number): string {
  return Object.entries(AttributeType).find(([, v]) => v === t)?.[0] ?? `AttributeType(${t})`;
}

/** The attribute `name` of `node` checked to be of kind `want`, `undefined` when absent. */
function typed(node: NodeProto, name: string, want: AttributeType): AttributeProto | undefined {
  const a = findAttribute(node, name);
  if (a === undefined) return undefined;
  const got = attributeType(a);
  if (got !== want) {
    throw new EnvisionError('E_ONNX', `${describeNode(node)}: attribute '${name}' is ${typeName(got)}, expected ${typeName(want)}`);
  }
  return a;
}

function missing(node: NodeProto, name: string): EnvisionError {
  return new EnvisionError('E_ONNX', `${describeNode(node)} has no attribute '${name}'`);
}

function toNumber(node: NodeProto, name: string, v: bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) {
    throw new EnvisionError('E_ONNX', `${describeNode(node)}: attribute '${name}' holds ${v}, beyond a safe JavaScript integer; read findAttribute() for the exact bigint`);
  }
  return n;
}

/**
 * An INT attribute as a number.
 * @param node - the node
 * @param name - the attribute name
 * @param fallback - the value when the attribute is absent (the operator's default); without it, absence is an error
 * @returns the value
 * @throws EnvisionError `E_ONNX` naming the node and attribute when it is missing (and no fallback), not an INT, or
 *   not a safe integer
 */
export function attrInt(node: NodeProto, name: string, fallback?: number): number {
  const a = typed(node, name, AttributeType.INT);
  if (a === undefined) {
    if (fallback === undefined) throw missing(node, name);
    return fallback;
  }
  return toNumber(node, name, a.i ?? 0n);
}

/**
 * An INTS attribute as numbers.
 * @param node - the node
 * @param name - the attribute name
 * @param fallback - the value when the attribute is absent; without it, absence is an error
 * @returns a new array
 * @throws EnvisionError `E_ONNX` naming the node and attribute when it is missing (and no fallback), not INTS, or
 *   holds an unsafe integer
 */
export function attrInts(node: NodeProto, name: string, fallback?: readonly number[]): number[] {
  const a = typed(node, name, AttributeType.INTS);
  if (a === undefined) {
    if (fallback === undefined) throw missing(node, name);
    return [...fallback];
  }
  return a.ints.map((v) => toNumber(node, name, v));
}

/**
 * A FLOAT attribute.
 * @param node - the node
 * @param name - the attribute name
 * @param fallback - the value when the attribute is absent; without it, absence is an error
 * @returns the value (a float32 widened to a number)
 * @throws EnvisionError `E_ONNX` naming the node and attribute when it is missing (and no fallback) or not a FLOAT
 */
export function attrFloat(node: NodeProto, name: string, fallback?: number): number {
  const a = typed(node, name, AttributeType.FLOAT);
  if (a === undefined) {
    if (fallback === undefined) throw missing(node, name);
    return fallback;
  }
  return a.f ?? 0;
}

/**
 * A FLOATS attribute.
 * @param node - the node
 * @param name - the attribute name
 * @param fallback - the value when the attribute is absent; without it, absence is an error
 * @returns a new array
 * @throws EnvisionError `E_ONNX` naming the node and attribute when it is missing (and no fallback) or not FLOATS
 */
export function attrFloats(node: NodeProto, name: string, fallback?: readonly number[]): number[] {
  const a = typed(node, name, AttributeType.FLOATS);
  if (a === undefined) {
    if (fallback === undefined) throw missing(node, name);
    return [...fallback];
  }
  return [...a.floats];
}

const utf8 = new TextDecoder();

/**
 * A STRING attribute, decoded from UTF-8.
 * @param node - the node
 * @param name - the attribute name
 * @param fallback - the value when the attribute is absent; without it, absence is an error
 * @returns the string
 * @throws EnvisionError `E_ONNX` naming the node and attribute when it is missing (and no fallback) or not a STRING
 */
export function attrString(node: NodeProto, name: string, fallback?: string): string {
  const a = typed(node, name, AttributeType.STRING);
  if (a === undefined) {
    if (fallback === undefined) throw missing(node, name);
    return fallback;
  }
  return utf8.decode(a.s ?? new Uint8Array(0));
}

/**
 * A STRINGS attribute, decoded from UTF-8.
 * @param node - the node
 * @param name - the attribute name
 * @param fallback - the value when the attribute is absent; without it, absence is an error
 * @returns a new array
 * @throws EnvisionError `E_ONNX` naming the node and attribute when it is missing (and no fallback) or not STRINGS
 */
export function attrStrings(node: NodeProto, name: string, fallback?: readonly string[]): string[] {
  const a = typed(node, name, AttributeType.STRINGS);
  if (a === undefined) {
    if (fallback === undefined) throw missing(node, name);
    return [...fallback];
  }
  return a.strings.map((s) => utf8.decode(s));
}

/**
 * A TENSOR attribute (e.g. `value` of a Constant node); read its data with `tensorFromProto`.
 * @param node - the node
 * @param name - the attribute name
 * @returns the TensorProto
 * @throws EnvisionError `E_ONNX` naming the node and attribute when it is missing or not a TENSOR
 */
export function attrTensor(node: NodeProto, name: string): TensorProto {
  const a = typed(node, name, AttributeType.TENSOR);
  if (a?.t === undefined) throw missing(node, name);
  return a.t;
}

/**
 * A GRAPH attribute (e.g. `then_branch` of an If node).
 * @param node - the node
 * @param name - the attribute name
 * @returns the GraphProto
 * @throws EnvisionError `E_ONNX` naming the node and attribute when it is missing or not a GRAPH
 */
export function attrGraph(node: NodeProto, name: string): GraphProto {
  const a = typed(node, name, AttributeType.GRAPH);
  if (a?.g === undefined) throw missing(node, name);
  return a.g;
}

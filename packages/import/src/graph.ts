import { type Tensor, tensor } from '@envision/core';
import { type AttributeInput, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto, makeGraph, makeModel, makeNode, tensorToProto } from '@envision/onnx-grad';

/** The ONNX operator set the imported graphs use. */
export const IMPORT_OPSET = 17;

/** Accumulates the nodes and initializers of one graph, naming values uniquely. */
export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  /** A fresh value name starting with `hint`. */
  private fresh(hint: string): string {
    let name = hint;
    while (this.names.has(name)) name = `${hint}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  /**
   * Adds an initializer.
   * @param name - its name (made unique)
   * @param t - the tensor
   * @returns the value name
   */
  init(name: string, t: Tensor): string {
    const unique = this.fresh(name);
    this.initializers.push(tensorToProto(unique, t));
    return unique;
  }

  /** An int64 1-D constant. */
  ints(name: string, values: readonly number[]): string {
    return this.init(name, tensor('int64', [values.length], BigInt64Array.from(values.map(BigInt))));
  }

  /** A float32 scalar constant. */
  scalar(name: string, value: number): string {
    return this.init(name, tensor('float32', [], Float32Array.of(value)));
  }

  /**
   * Adds a node with one output.
   * @param opType - the operator
   * @param inputs - its inputs
   * @param name - the output (and node) name hint
   * @param attributes - its attributes (bigint → INT, number → FLOAT)
   * @returns the output name
   */
  op(opType: string, inputs: readonly string[], name: string, attributes: Readonly<Record<string, AttributeInput>> = {}): string {
    const out = this.fresh(name);
    this.nodes.push(makeNode(opType, inputs, [out], attributes, out));
    return out;
  }

  /**
   * Finishes the model: renames `result` to the output's name through an Identity, opset {@link IMPORT_OPSET}.
   * @param name - graph name
   * @param inputs - graph inputs
   * @param output - the output's description
   * @param result - the value that becomes the output
   * @returns the model
   */
  model(name: string, inputs: readonly ValueInfoProto[], output: ValueInfoProto, result: string): ModelProto {
    this.nodes.push(makeNode('Identity', [result], [output.name!], {}, output.name!));
    return makeModel(makeGraph(this.nodes, name, inputs, [output], this.initializers), { '': IMPORT_OPSET });
  }
}

/**
 * `x · Wᵀ (+ b)` of a torch Linear weight `[out, in]`.
 * @param g - the graph
 * @param x - the input `[…, in]`
 * @param weight - the torch weight `[out, in]`
 * @param bias - the bias `[out]`, if any
 * @param name - a name hint
 * @returns the output `[…, out]`
 */
export function linear(g: GraphBuilder, x: string, weight: Tensor<'float32'>, bias: Tensor<'float32'> | undefined, name: string): string {
  // The weight is stored as torch keeps it and transposed by a node (onnxruntime folds it when the model loads): the
  // importer then never holds a transposed copy of a large checkpoint.
  const y = g.op('MatMul', [x, g.op('Transpose', [g.init(`${name}.weight`, weight)], `${name}.weightT`, { perm: [1n, 0n] })], `${name}.matmul`);
  return bias === undefined ? y : g.op('Add', [y, g.init(`${name}.bias`, bias)], name);
}

/** A 2-D float32 tensor transposed. */
export function transpose2d(t: Tensor<'float32'>): Tensor<'float32'> {
  const [rows, cols] = t.shape as [number, number];
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c]!;
  return tensor('float32', [cols, rows], out);
}

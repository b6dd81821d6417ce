import { type AttributeInput, makeNode } from '../onnx/build.js';
import { DataType, tensorToProto } from '../onnx/tensor-proto.js';
import type { NodeProto, TensorProto } from '../onnx/types.js';
import { tensor } from '../tensor.js';

/** Collects the nodes and constants of the backward graph, with fresh value names. */
export class GraphEmitter {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private counter = 0;

  /** @param floatType - element type of gradients (`DataType.FLOAT` or `DataType.DOUBLE`) */
  constructor(readonly floatType: number = DataType.FLOAT) {}

  /** A fresh value name. */
  fresh(hint: string): string {
    return `envision_grad/${hint}_${this.counter++}`;
  }

  /** Emits a node and returns its output names (fresh ones unless `outputs` names them). */
  emit(
    opType: string,
    inputs: readonly string[],
    outputCount: number,
    attributes: Readonly<Record<string, AttributeInput>> = {},
    outputs: readonly string[] = Array.from({ length: outputCount }, () => this.fresh(opType)),
  ): string[] {
    this.nodes.push(makeNode(opType, inputs, outputs, attributes, this.fresh(`${opType}_node`)));
    return [...outputs];
  }

  /** Drops the node that produces `output` (a value nothing reads any more). */
  remove(output: string): void {
    const at = this.nodes.findIndex((node) => node.output.includes(output));
    if (at >= 0) this.nodes.splice(at, 1);
  }

  /** An int64 constant. */
  ints(values: readonly number[], shape: readonly number[] = [values.length]): string {
    const name = this.fresh('ints');
    this.initializers.push(tensorToProto(name, tensor('int64', shape, BigInt64Array.from(values, (v) => BigInt(v)))));
    return name;
  }

  /** A float constant, of the gradient float type unless `type` says otherwise. */
  floats(values: readonly number[], shape: readonly number[] = [values.length], type: number = this.floatType): string {
    const name = this.fresh('floats');
    const t = type === DataType.DOUBLE ? tensor('float64', shape, Float64Array.from(values)) : tensor('float32', shape, Float32Array.from(values));
    this.initializers.push(tensorToProto(name, t));
    return name;
  }
}

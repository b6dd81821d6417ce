import { DataType, EnvisionError, SeededRandom, tensor, tensorFromProto, type ModelProto, type Tensor, type TensorProto } from '@envision/onnx-grad';

/** A group of initializers randomised together: the parameters of one weight-bearing node and those that follow it. */
export interface ParameterLayer {
  /** 1 for the layer nearest the output, counting down towards the input. */
  readonly rank: number;
  /** The node that starts the layer (its name, else `op_type #index`). */
  readonly node: string;
  /** For display: the name of the layer's first weight, or the node's when the weight's was made up by the exporter (`onnx::…`). */
  readonly name: string;
  /** The initializers of the layer, in graph order. */
  readonly initializers: readonly string[];
  /** Their element count. */
  readonly parameters: number;
}

/**
 * Inputs of these ops that take shapes, indices, scales or limits rather than learned values: an initializer fed only
 * there is a constant of the architecture, never randomised.
 */
const NOT_PARAMETERS: Readonly<Record<string, readonly number[]>> = {
  Resize: [1, 2, 3],
  Upsample: [1],
  Pad: [1, 2, 3],
  Clip: [1, 2],
  Slice: [1, 2, 3, 4],
  Reshape: [1],
  Expand: [1],
  Tile: [1],
  Range: [0, 1, 2],
  ConstantOfShape: [0],
};

function isFloat(t: TensorProto): boolean {
  return t.data_type === DataType.FLOAT || t.data_type === DataType.DOUBLE;
}

/**
 * The vision model's learned parameters grouped into layers, from the output down. Initializers are float32/float64
 * tensors with more than one element (scalars are constants of the graph: ε, √d, GELU's coefficients) fed to nodes as
 * data (not as a shape, scale or limit). Walking the nodes in graph order, a node that consumes a parameter of rank ≥ 2
 * (a convolution kernel, a projection matrix, a position embedding) starts a layer; rank-1 parameters (biases,
 * normalisation scales and shifts) join the layer before them (or the first layer, before any weight). An initializer
 * consumed by several nodes belongs to the first.
 * @param proto - the decoded model
 * @returns the layers, nearest the output first (rank 1)
 */
export function parameterLayers(proto: ModelProto): ParameterLayer[] {
  const graph = proto.graph!;
  const candidates = new Map(graph.initializer.filter((t) => isFloat(t) && t.dims.reduce((n, d) => n * d, 1) > 1).map((t) => [t.name!, t]));
  // Initializers fed somewhere as a shape, scale or limit are constants, wherever else they go.
  for (const node of graph.node) {
    const skip = NOT_PARAMETERS[node.op_type ?? ''] ?? [];
    node.input.forEach((name, i) => {
      if (skip.includes(i)) candidates.delete(name);
    });
  }
  const assigned = new Set<string>();
  const groups: { node: string; name: string; initializers: string[]; parameters: number }[] = [];
  graph.node.forEach((node, index) => {
    const fresh = [...new Set(node.input)].filter((name) => candidates.has(name) && !assigned.has(name));
    if (fresh.length === 0) return;
    for (const name of fresh) assigned.add(name);
    const weight = fresh.find((name) => candidates.get(name)!.dims.length >= 2);
    const size = fresh.reduce((n, name) => n + candidates.get(name)!.dims.reduce((m, d) => m * d, 1), 0);
    if (weight !== undefined || groups.length === 0) {
      const nodeName = node.name || `${node.op_type ?? '?'} #${index}`;
      // An exporter's generated initializer name (onnx::MatMul_1812) says less than the node's (/stages.2.1/fc2/MatMul).
      const first = weight ?? fresh[0]!;
      groups.push({ node: nodeName, name: first.startsWith('onnx::') ? nodeName : first, initializers: fresh, parameters: size });
    } else {
      const last = groups[groups.length - 1]!;
      last.initializers.push(...fresh);
      last.parameters += size;
    }
  });
  return groups.reverse().map((g, i) => ({ rank: i + 1, ...g }));
}

/** FNV-1a hash of a name, so that each initializer draws its own stream from the seed. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * A random value for an initializer: the same shape and type, each element σ·N(0, 1) with σ the root mean square of
 * the original values (its standard deviation for zero-mean weights; 1 for a normalisation scale of ones, which a
 * standard deviation would collapse to 0). An all-zero tensor stays zero. The stream depends on the seed and the
 * initializer's name only, so a layer gets the same values in every step that randomises it.
 * @param t - the original value (float32 or float64)
 * @param name - the initializer's name
 * @param seed - the sanity check's seed
 */
export function randomLike(t: Tensor, name: string, seed: number): Tensor {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new EnvisionError('E_INPUT', `randomLike: initializer '${name}' is ${t.dtype}, not a float tensor`);
  const data = t.data as Float32Array | Float64Array;
  let squares = 0;
  for (const v of data) squares += v * v;
  const sigma = Math.sqrt(squares / Math.max(1, data.length));
  const random = new SeededRandom((seed ^ nameHash(name)) >>> 0);
  const out = t.dtype === 'float32' ? new Float32Array(data.length) : new Float64Array(data.length);
  if (sigma > 0) for (let i = 0; i < out.length; i++) out[i] = sigma * random.normal();
  return tensor(t.dtype, [...t.shape], out as Float32Array);
}

/**
 * The replacements that randomise some layers: every initializer of the chosen layers, drawn by {@link randomLike}.
 * @param proto - the decoded model
 * @param layers - the layers to randomise
 * @param seed - the sanity check's seed
 * @param drawn - values drawn before with the same seed, reused (and added to), so that cascading steps draw each layer
 *   once
 */
export function randomReplacements(proto: ModelProto, layers: readonly ParameterLayer[], seed: number, drawn: Map<string, Tensor> = new Map()): Map<string, Tensor> {
  const byName = new Map(proto.graph!.initializer.map((t) => [t.name!, t]));
  const out = new Map<string, Tensor>();
  for (const layer of layers) {
    for (const name of layer.initializers) {
      let value = drawn.get(name);
      if (value === undefined) {
        value = randomLike(tensorFromProto(byName.get(name)!), name, seed);
        drawn.set(name, value);
      }
      out.set(name, value);
    }
  }
  return out;
}

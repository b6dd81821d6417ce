import { EnvisionError } from '../errors.js';
import { makeTensorValueInfo } from '../onnx/build.js';
import { DataType } from '../onnx/tensor-proto.js';
import type { ModelProto, NodeProto } from '../onnx/types.js';

/**
 * Up to `count` of `names` closest to `query`: those that contain it first, then those it contains, then by the length
 * of the common prefix and the difference in length. For "did you mean" lists of tensor names.
 */
export function closeNames(query: string, names: readonly string[], count = 5): string[] {
  const q = query.toLowerCase();
  const prefix = (a: string) => {
    let i = 0;
    while (i < a.length && i < q.length && a[i] === q[i]) i++;
    return i;
  };
  const score = (name: string): number => {
    const n = name.toLowerCase();
    const contains = n.includes(q) ? 2000 : q.includes(n) ? 1000 : 0;
    return contains + 10 * prefix(n) - Math.abs(n.length - q.length) / 100;
  };
  return [...new Set(names)].sort((a, b) => score(b) - score(a) || a.localeCompare(b)).slice(0, count);
}

/** Every value a node of the model computes, in graph order. */
export function valueNames(model: ModelProto): string[] {
  return model.graph!.node.flatMap((n) => n.output.filter((o) => o !== ''));
}

/**
 * The model with value `name` turned into a graph input: the node that computed it computes a renamed copy, which
 * nothing uses, and every node no graph output needs any more is dropped, with the inputs and initializers only they
 * used. Run with the value's activation as the new input, the cut model computes the same outputs, and its gradient with
 * respect to that input is the gradient with respect to the intermediate tensor (everything else held fixed).
 *
 * @param model - the forward model
 * @param name - a value some node computes
 * @param dims - the value's shape as the new input declares it (the batch axis symbolic or fixed)
 * @param source - names the model in messages
 * @throws EnvisionError `E_INPUT` naming close names when no node computes `name`
 */
export function cutAt(model: ModelProto, name: string, dims: readonly (number | string)[], source: string): ModelProto {
  const graph = model.graph!;
  const producer = graph.node.find((n) => n.output.includes(name));
  if (producer === undefined) {
    const inputs = graph.input.map((i) => i.name!);
    throw new EnvisionError('E_INPUT', `${source}: no input or intermediate value '${name}'; close names: ${closeNames(name, [...inputs, ...valueNames(model)]).join(', ')}`);
  }
  const renamed: NodeProto[] = graph.node.map((n) => (n === producer ? { ...n, output: n.output.map((o) => (o === name ? `${name}__envision_cut` : o)) } : n));
  // Keep the nodes a graph output needs, walking back from the outputs; the cut value is now an input.
  const needed = new Set(graph.output.map((o) => o.name!));
  const kept: NodeProto[] = [];
  for (const node of [...renamed].reverse()) {
    if (!node.output.some((o) => needed.has(o))) continue;
    kept.push(node);
    for (const i of node.input) if (i !== '' && i !== name) needed.add(i);
    for (const attrGraph of node.attribute ?? []) if (attrGraph.g !== undefined) for (const inner of attrGraph.g.node) inner.input.forEach((i) => needed.add(i));
  }
  kept.reverse();
  const initializers = graph.initializer.filter((t) => needed.has(t.name!));
  const initNames = new Set(initializers.map((t) => t.name!));
  const inputs = graph.input.filter((i) => needed.has(i.name!) && !initNames.has(i.name!));
  return {
    ...model,
    graph: {
      ...graph,
      node: kept,
      initializer: initializers,
      input: [...inputs, makeTensorValueInfo(name, DataType.FLOAT, dims)],
    },
  };
}

/**
 * The output of the node that looks input `input` up in a two-dimensional initializer — a token-embedding table, the
 * word embeddings of a text encoder (`Gather(table, ids)`, the ids possibly through a `Cast`) — if the model has one.
 */
export function embeddingLookup(model: ModelProto, input: string): string | undefined {
  const graph = model.graph!;
  const tables = new Set(graph.initializer.filter((t) => t.dims.length === 2).map((t) => t.name!));
  const ids = new Set([input]);
  for (const node of graph.node) if (node.op_type === 'Cast' && ids.has(node.input[0]!)) ids.add(node.output[0]!);
  return graph.node.find((n) => n.op_type === 'Gather' && tables.has(n.input[0]!) && ids.has(n.input[1]!))?.output[0];
}

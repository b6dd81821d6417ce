import { describe, it, expect } from 'vitest';
import * as ort from '../ort.js';
import { tensor } from '../tensor.js';
import { AttributeType } from './attr.js';
import { Attr, DEFAULT_IR_VERSION, makeAttribute, makeGraph, makeModel, makeNode, makeTensorValueInfo } from './build.js';
import { decodeModel, encodeModel } from './codec.js';
import { DataType, tensorToProto } from './tensor-proto.js';

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

describe('makeAttribute', () => {
  it('chooses the kind from the JavaScript type, never from the value', () => {
    expect(makeAttribute('axis', 1n)).toMatchObject({ name: 'axis', type: AttributeType.INT, i: 1n });
    expect(makeAttribute('alpha', 1)).toMatchObject({ type: AttributeType.FLOAT, f: 1 });
    expect(makeAttribute('alpha', 1).i).toBeUndefined();
    expect(makeAttribute('perm', [0n, 2n, 1n])).toMatchObject({ type: AttributeType.INTS, ints: [0n, 2n, 1n], floats: [] });
    expect(makeAttribute('scales', [1, 2.5])).toMatchObject({ type: AttributeType.FLOATS, floats: [1, 2.5], ints: [] });
    expect(makeAttribute('mode', 'linear')).toMatchObject({ type: AttributeType.STRING, s: new TextEncoder().encode('linear') });
    expect(makeAttribute('names', ['a', 'b']).strings).toHaveLength(2);
    const t = tensorToProto('c', tensor('float32', [], Float32Array.from([2])));
    expect(makeAttribute('value', t)).toMatchObject({ type: AttributeType.TENSOR, t });
  });

  it('takes explicit kinds through Attr', () => {
    expect(makeAttribute('axis', Attr.int(-1))).toMatchObject({ type: AttributeType.INT, i: -1n });
    expect(makeAttribute('axes', Attr.ints([]))).toMatchObject({ type: AttributeType.INTS, ints: [] });
    expect(makeAttribute('eps', Attr.float(1))).toMatchObject({ type: AttributeType.FLOAT, f: 1 });
    expect(makeAttribute('s', Attr.floats([]))).toMatchObject({ type: AttributeType.FLOATS, floats: [] });
    expect(makeAttribute('b', Attr.string(new Uint8Array([0xff])))).toMatchObject({ type: AttributeType.STRING, s: new Uint8Array([0xff]) });
    expect(makeAttribute('ss', Attr.strings([]))).toMatchObject({ type: AttributeType.STRINGS, strings: [] });
    expect(() => Attr.int(1.5)).toThrow('1.5 is not a safe integer');
    expect(() => Attr.ints([2 ** 60])).toThrow(RangeError);
  });

  it('refuses values whose kind cannot be told', () => {
    expect(() => makeAttribute('axes', [])).toThrow("attribute 'axes': an empty list has no kind; use Attr.ints([]) or Attr.floats([])");
    expect(() => makeAttribute('mixed', [1n, 2] as never)).toThrow("attribute 'mixed': a list must be all bigint");
    expect(() => makeAttribute('obj', {} as never)).toThrow("attribute 'obj': cannot tell the kind");
  });
});

describe('makeNode / makeTensorValueInfo / makeModel', () => {
  it('build plain objects that decode back to themselves', () => {
    const node = makeNode('Softmax', ['x'], ['y'], { axis: -1n, unused: undefined }, 'softmax');
    expect(node).toEqual({
      input: ['x'],
      output: ['y'],
      name: 'softmax',
      op_type: 'Softmax',
      attribute: [makeAttribute('axis', -1n)],
      metadata_props: [],
      device_configurations: [],
    });
    expect(makeNode('Foo', [], [], {}, undefined, 'com.example').domain).toBe('com.example');
    const vi = makeTensorValueInfo('x', DataType.FLOAT, ['batch', 3, null]);
    expect(vi.type!.tensor_type!.shape!.dim).toEqual([{ dim_param: 'batch' }, { dim_value: 3 }, {}]);
    expect(makeTensorValueInfo('r', DataType.INT64).type).toEqual({ tensor_type: { elem_type: DataType.INT64 } });
    const graph = makeGraph([node], 'g', [vi], [makeTensorValueInfo('y', DataType.FLOAT, ['batch', 3, null])]);
    const model = makeModel(graph, { '': 17, 'com.microsoft': 1 });
    expect(model.ir_version).toBe(DEFAULT_IR_VERSION);
    expect(model.opset_import).toEqual([{ version: 17 }, { domain: 'com.microsoft', version: 1 }]);
    expect(makeModel(graph, [{ version: 17 }], 8)).toMatchObject({ ir_version: 8, opset_import: [{ version: 17 }] });
    expect(decodeModel(encodeModel(model), 'built')).toEqual(model);
  });

  it('build Y = Relu(MatMul(X, W) + B) and friends that onnxruntime runs with hand-computed results', async () => {
    // X = [[1, 2, 3], [-1, 0, 1]], W = [[1, -1], [0, 1], [2, 0]], B = [0.5, -2]
    // A = X·W + B = [[7.5, -1], [1.5, -1]]
    const W = tensorToProto('W', tensor('float32', [3, 2], Float32Array.from([1, -1, 0, 1, 2, 0])));
    const B = tensorToProto('B', tensor('float32', [2], Float32Array.from([0.5, -2])));
    const axes = tensorToProto('axes', tensor('int64', [1], BigInt64Array.from([1n])));
    const graph = makeGraph(
      [
        makeNode('MatMul', ['X', 'W'], ['H'], {}, 'matmul'),
        makeNode('Add', ['H', 'B'], ['A'], {}, 'add'),
        makeNode('Relu', ['A'], ['Y'], {}, 'relu'),
        makeNode('LeakyRelu', ['A'], ['Z'], { alpha: 0.5 }, 'leaky'),
        makeNode('Transpose', ['Y'], ['T'], { perm: [1n, 0n] }, 'transpose'),
        makeNode('ReduceSum', ['A', 'axes'], ['S'], { keepdims: 0n }, 'sum'),
      ],
      'tiny',
      [makeTensorValueInfo('X', DataType.FLOAT, ['n', 3])],
      [
        makeTensorValueInfo('Y', DataType.FLOAT, ['n', 2]),
        makeTensorValueInfo('Z', DataType.FLOAT, ['n', 2]),
        makeTensorValueInfo('T', DataType.FLOAT, [2, 'n']),
        makeTensorValueInfo('S', DataType.FLOAT, ['n']),
      ],
      [W, B, axes],
    );
    const bytes = encodeModel(makeModel(graph, { '': 17 }));
    const out = await run(bytes, { X: new ort.Tensor('float32', Float32Array.from([1, 2, 3, -1, 0, 1]), [2, 3]) });
    const values = (name: string): [number[], number[]] => [[...out[name]!.dims], [...(out[name]!.data as Float32Array)]];
    expect(values('Y')).toEqual([[2, 2], [7.5, 0, 1.5, 0]]);
    expect(values('Z')).toEqual([[2, 2], [7.5, -0.5, 1.5, -0.5]]);
    expect(values('T')).toEqual([[2, 2], [7.5, 1.5, 0, 0]]);
    expect(values('S')).toEqual([[2], [6.5, 0.5]]);
  });

  it('keeps int64 values above 2^53 exact through encode, decode and onnxruntime', async () => {
    const big = [2n ** 53n + 1n, -(2n ** 62n) - 3n, 2n ** 63n - 2n];
    const C = tensorToProto('C', tensor('int64', [3], BigInt64Array.from(big)));
    const graph = makeGraph(
      [makeNode('Add', ['X', 'C'], ['Y'], {}, 'add'), makeNode('Constant', [], ['K'], { value_ints: [2n ** 60n + 7n] }, 'k')],
      'int64',
      [makeTensorValueInfo('X', DataType.INT64, [3])],
      [makeTensorValueInfo('Y', DataType.INT64, [3]), makeTensorValueInfo('K', DataType.INT64, [1])],
      [C],
    );
    const model = decodeModel(encodeModel(makeModel(graph, { '': 17 })), 'int64');
    expect(model.graph!.node[1]!.attribute[0]!.ints).toEqual([2n ** 60n + 7n]);
    const out = await run(encodeModel(model), { X: new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 1n]), [3]) });
    expect([...(out['Y']!.data as BigInt64Array)]).toEqual([2n ** 53n + 2n, -(2n ** 62n) - 1n, 2n ** 63n - 1n]);
    expect([...(out['K']!.data as BigInt64Array)]).toEqual([2n ** 60n + 7n]);
  });
});

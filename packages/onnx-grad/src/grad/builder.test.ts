import { describe, expect, it } from 'vitest';
import { makeGraph, makeModel, makeNode, makeTensorValueInfo } from '../onnx/build.js';
import { DataType, tensorToProto } from '../onnx/tensor-proto.js';
import { buildGradientModel } from './builder.js';
import { checkModelGradient, randomTensor } from './check-gradient.js';
import { RuleRegistry } from './rule-registry.js';
import { defaultRules } from './rules/index.js';

// y = LayerNorm(x · tanh(x)) · softmax(x): every rule on the path reads forward values.
const nodes = [
  makeNode('Tanh', ['x'], ['e'], {}, 'tanh'),
  makeNode('Mul', ['x', 'e'], ['xe'], {}, 'mul'),
  makeNode('LayerNormalization', ['xe', 'scale'], ['ln'], { axis: -1n }, 'ln'),
  makeNode('Softmax', ['x'], ['s'], {}, 'softmax'),
  makeNode('Mul', ['ln', 's'], ['y'], {}, 'mul2'),
];
const scale = randomTensor('float32', [6], 3);

function model() {
  const graph = makeGraph(nodes, 'g', [makeTensorValueInfo('x', DataType.FLOAT, ['batch', 4, 6])], [makeTensorValueInfo('y', DataType.FLOAT, ['batch', 4, 6])], []);
  return makeModel({ ...graph, initializer: [] }, { '': 17 }, 8);
}

describe('buildGradientModel', () => {
  it('hands forward values at batch 1 to broadcasting rules when B = 1 (no Tile), and tiles them when B > 1', async () => {
    const m = model();
    m.graph!.initializer.push(tensorToProto('scale', scale));
    const tiles = async (b: number) => {
      const x = randomTensor('float32', [b, 4, 6], 5);
      const built = await buildGradientModel(m, { x }, { wrt: 'x', of: 'y', rows: 3 }, new RuleRegistry(defaultRules));
      return built.model.graph!.node.filter((n) => n.op_type === 'Tile').length;
    };
    expect(await tiles(1)).toBe(0);
    expect(await tiles(2)).toBeGreaterThan(0);
  });

  it('gives the same gradients as finite differences either way (B = 1 and B = 2, K = 3)', async () => {
    for (const b of [1, 2]) {
      const x = randomTensor('float64', [b, 4, 6], 9 + b);
      const result = await checkModelGradient({ nodes, feeds: { x }, initializers: { scale: randomTensor('float64', [6], 3) }, rows: 3, rules: defaultRules });
      expect(result.relativeError).toBeLessThan(1e-6);
    }
  });
});

describe('buildGradientModel: blocks that cover a value join by Concat', () => {
  const c = (name: string, values: number[]) => tensorToProto(name, { dtype: 'int64', shape: [values.length], data: BigInt64Array.from(values, BigInt) } as never);
  // torch.roll(x, 2, dims=2): two slices of the last axis, concatenated the other way round; then × w.
  const roll = [
    makeNode('Slice', ['x', 'm2', 'end', 'ax'], ['tail'], {}, 'tail'),
    makeNode('Slice', ['x', 'zero', 'm2', 'ax'], ['head'], {}, 'head'),
    makeNode('Concat', ['tail', 'head'], ['r'], { axis: 2n }, 'concat'),
    makeNode('Mul', ['r', 'w'], ['y'], {}, 'mul'),
  ];
  const rollConsts = [c('m2', [-2]), c('end', [1000]), c('zero', [0]), c('ax', [2])];
  // q, k and v taken from one tensor by Gather (axis 1, scalar indices), combined as q · k + v.
  const scalar = (name: string, v: number) => tensorToProto(name, { dtype: 'int64', shape: [], data: BigInt64Array.from([BigInt(v)]) } as never);
  const qkv = [
    makeNode('Gather', ['x', 'i0'], ['q'], { axis: 1n }, 'q'),
    makeNode('Gather', ['x', 'i1'], ['k'], { axis: 1n }, 'k'),
    makeNode('Gather', ['x', 'i2'], ['v'], { axis: 1n }, 'v'),
    makeNode('Mul', ['q', 'k'], ['qk'], {}, 'qk'),
    makeNode('Add', ['qk', 'v'], ['y'], {}, 'y'),
  ];
  const qkvConsts = [scalar('i0', 0), scalar('i1', 1), scalar('i2', 2)];
  // Only q and k: the blocks do not cover x, so their gradients are padded and summed as before.
  const partial = [qkv[0]!, qkv[1]!, makeNode('Mul', ['q', 'k'], ['y'], {}, 'qk')];
  const cases = [
    { name: 'roll', nodes: roll, consts: rollConsts, shape: [1, 3, 7], extra: { w: randomTensor('float32', [3, 7], 4) }, concat: true },
    { name: 'q, k, v', nodes: qkv, consts: qkvConsts, shape: [1, 3, 5], extra: {}, concat: true },
    { name: 'q, k only', nodes: partial, consts: qkvConsts.slice(0, 2), shape: [1, 3, 5], extra: {}, concat: false },
  ];

  for (const { name, nodes: graphNodes, consts, shape, extra, concat } of cases) {
    it(`${name}: ${concat ? 'one Concat, nothing padded or added' : 'padded and added'}, and the gradient of finite differences`, async () => {
      const inputs = [makeTensorValueInfo('x', DataType.FLOAT, ['batch', ...shape.slice(1)])];
      const graph = makeGraph(graphNodes, 'g', inputs, [{ name: 'y', metadata_props: [] }], [...consts, ...Object.entries(extra).map(([n, t]) => tensorToProto(n, t))]);
      const built = await buildGradientModel(makeModel(graph, { '': 17 }, 8), { x: randomTensor('float32', shape, 7) }, { wrt: 'x', of: 'y', rows: 2 }, new RuleRegistry(defaultRules));
      const backward = built.model.graph!.node.filter((n) => (n.name ?? '').startsWith('envision_grad')).map((n) => n.op_type);
      if (concat) {
        expect(backward).toContain('Concat');
        expect(backward.filter((op) => op === 'Pad' || op === 'Add' || op === 'Sum' || op === 'Gather')).toEqual([]);
      } else {
        expect(backward).toContain('Pad');
        expect(backward).toContain('Add');
      }
      const float64 = Object.fromEntries(Object.entries(extra).map(([n, t]) => [n, randomTensor('float64', t.shape, 4)]));
      const result = await checkModelGradient({ nodes: graphNodes, feeds: { x: randomTensor('float64', shape, 11) }, initializers: [...consts, ...Object.entries(float64).map(([n, t]) => tensorToProto(n, t))], rows: 2, rules: defaultRules });
      expect(result.relativeError).toBeLessThan(1e-6);
    });
  }
});

describe('buildGradientModel: values whose batch axis is merged with another (windows)', () => {
  // x [B, 4, 6] → windows [B·2, 2, 6]; attention within each window: softmax(w · wᵀ) · w; back to [B, 4, 6].
  const windowNodes = [
    makeNode('Reshape', ['x', 'toWindows'], ['w'], {}, 'split'),
    makeNode('Transpose', ['w'], ['wt'], { perm: [0n, 2n, 1n] }, 'wt'),
    makeNode('MatMul', ['w', 'wt'], ['scores'], {}, 'scores'),
    makeNode('Softmax', ['scores'], ['attn'], { axis: -1n }, 'softmax'),
    makeNode('MatMul', ['attn', 'w'], ['mixed'], {}, 'mix'),
    makeNode('Tanh', ['mixed'], ['act'], {}, 'tanh'),
    makeNode('Reshape', ['act', 'back'], ['y'], {}, 'merge'),
  ];
  const shapes = [
    tensorToProto('toWindows', { dtype: 'int64', shape: [3], data: BigInt64Array.from([-1n, 2n, 6n]) } as never),
    tensorToProto('back', { dtype: 'int64', shape: [3], data: BigInt64Array.from([-1n, 4n, 6n]) } as never),
  ];
  const graphOf = () => makeModel(makeGraph(windowNodes, 'g', [makeTensorValueInfo('x', DataType.FLOAT, ['batch', 4, 6])], [{ name: 'y', metadata_props: [] }], shapes), { '': 17 }, 8);

  it('broadcasts them against K rows (no Tile) with one image, and tiles them with two', async () => {
    const tiles = async (b: number) => {
      const built = await buildGradientModel(graphOf(), { x: randomTensor('float32', [b, 4, 6], 5) }, { wrt: 'x', of: 'y', rows: 3 }, new RuleRegistry(defaultRules));
      return built.model.graph!.node.filter((n) => n.op_type === 'Tile').length;
    };
    expect(await tiles(1)).toBe(0);
    expect(await tiles(2)).toBeGreaterThan(0);
  });

  it('gives the gradient of finite differences either way (B = 1 and 2, K = 3)', async () => {
    for (const b of [1, 2]) {
      const result = await checkModelGradient({ nodes: windowNodes, feeds: { x: randomTensor('float64', [b, 4, 6], 20 + b) }, initializers: shapes, rows: 3, rules: defaultRules });
      expect(result.relativeError).toBeLessThan(1e-6);
    }
  });
});

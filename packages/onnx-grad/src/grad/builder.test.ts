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

import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import {
  DataType,
  DifferentiableOnnxModel,
  makeGraph,
  makeModel,
  makeNode,
  makeTensorValueInfo,
  tensor,
  tensorFromProto,
  tensorToProto,
  type ModelProto,
  type Tensor,
} from '@envision/onnx-grad';
import { parameterLayers, randomLike, randomReplacements } from './randomize.js';

const TINY = fileURLToPath(new URL('../../../../fixtures/tiny-dual/vision.onnx', import.meta.url));

const values = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));

/**
 * x [1, 2, 4, 4] → Conv(W [3, 2, 1, 1], b [3]) → Mul(scalar) → Resize(scales) → Flatten → MatMul(W2 [48, 5]) → Add(b2)
 * → Mul(LayerNorm-like scale of ones [5]).
 */
function toyModel(): ModelProto {
  const F = DataType.FLOAT;
  const init = (name: string, t: Tensor) => tensorToProto(name, t);
  const graph = makeGraph(
    [
      makeNode('Conv', ['x', 'W', 'b'], ['c'], {}, 'conv'),
      makeNode('Mul', ['c', 'half'], ['m'], {}, 'scale'),
      makeNode('Resize', ['m', '', 'scales'], ['r'], { mode: 'nearest' }, 'resize'),
      makeNode('Flatten', ['r'], ['f'], {}, 'flatten'),
      makeNode('MatMul', ['f', 'W2'], ['p'], {}, 'proj'),
      makeNode('Add', ['p', 'b2'], ['q'], {}, 'bias'),
      makeNode('Mul', ['q', 'gamma'], ['y'], {}, 'gain'),
    ],
    'toy',
    [makeTensorValueInfo('x', F, [1, 2, 2, 2])],
    [makeTensorValueInfo('y', F, [1, 5])],
    [
      init('W', tensor('float32', [3, 2, 1, 1], values(6, (i) => 0.1 * (i + 1)))),
      init('b', tensor('float32', [3], values(3, (i) => i - 1))),
      init('half', tensor('float32', [], values(1, () => 0.5))),
      init('scales', tensor('float32', [4], values(4, (i) => (i < 2 ? 1 : 2)))),
      init('W2', tensor('float32', [48, 5], values(240, (i) => Math.sin(i)))),
      init('b2', tensor('float32', [5], values(5, (i) => 0.01 * i))),
      init('gamma', tensor('float32', [5], values(5, () => 1))),
    ],
  );
  return makeModel(graph, { '': 17 });
}

describe('parameterLayers', () => {
  it('groups weights with the biases and scales after them, from the output down, leaving scalars and Resize scales alone', () => {
    const layers = parameterLayers(toyModel());
    expect(layers.map((l) => [l.rank, l.node, l.initializers])).toEqual([
      [1, 'proj', ['W2', 'b2', 'gamma']],
      [2, 'conv', ['W', 'b']],
    ]);
    expect(layers.map((l) => l.parameters)).toEqual([250, 9]);
  });

  it('finds the tiny CNN’s five layers, the projection first', async () => {
    const model = await DifferentiableOnnxModel.load(TINY, { cacheDir: null });
    try {
      const layers = parameterLayers(model.modelProto());
      expect(layers.map((l) => l.name)).toEqual(['/proj/MatMul', 'conv4.weight', 'conv3.weight', 'conv2.weight', 'conv1.weight']);
    } finally {
      await model.dispose();
    }
  });
});

describe('randomLike', () => {
  it('is seeded per initializer name, keeps shape and type, and scales N(0, 1) by the original root mean square', () => {
    const t = tensor('float32', [400], values(400, () => 3));
    const a = randomLike(t, 'w', 42);
    expect(a.shape).toEqual([400]);
    expect(a.dtype).toBe('float32');
    expect(Array.from(randomLike(t, 'w', 42).data)).toEqual(Array.from(a.data));
    expect(Array.from(randomLike(t, 'w', 43).data)).not.toEqual(Array.from(a.data));
    expect(Array.from(randomLike(t, 'v', 42).data)).not.toEqual(Array.from(a.data));
    const d = a.data as Float32Array;
    const rms = Math.sqrt(d.reduce((s, v) => s + v * v, 0) / d.length);
    expect(rms).toBeGreaterThan(2.6);
    expect(rms).toBeLessThan(3.4);
    expect(Array.from(randomLike(tensor('float32', [4], new Float32Array(4)), 'z', 1).data)).toEqual([0, 0, 0, 0]);
  });
});

describe('randomised models', () => {
  /** The initializers of a model by name, as plain arrays. */
  const initializers = (model: DifferentiableOnnxModel) => new Map(model.modelProto().graph!.initializer.map((t) => [t.name!, Array.from(tensorFromProto(t).data as Float32Array)]));

  it('change exactly the chosen initializers, the same way for the same seed; reaching the input layer randomises every parameter', async () => {
    const model = await DifferentiableOnnxModel.load(TINY, { cacheDir: null });
    const made: DifferentiableOnnxModel[] = [];
    try {
      const proto = model.modelProto();
      const layers = parameterLayers(proto);
      const before = initializers(model);
      const top2 = layers.slice(0, 2);
      const chosen = new Set(top2.flatMap((l) => l.initializers));
      const a = await model.withInitializers(randomReplacements(proto, top2, 42), 'top2');
      const b = await model.withInitializers(randomReplacements(proto, top2, 42), 'top2-again');
      made.push(a, b);
      const after = initializers(a);
      for (const [name, v] of before) {
        if (chosen.has(name)) expect(after.get(name), name).not.toEqual(v);
        else expect(after.get(name), name).toEqual(v);
      }
      expect(initializers(b)).toEqual(after);
      // values drawn once and reused (cascading steps) are the values drawn afresh
      const drawn = new Map<string, Tensor>();
      randomReplacements(proto, layers.slice(0, 1), 42, drawn);
      const reused = randomReplacements(proto, top2, 42, drawn);
      for (const [name, t] of randomReplacements(proto, top2, 42)) expect(Array.from(reused.get(name)!.data as Float32Array)).toEqual(Array.from(t.data as Float32Array));
      const pixels = tensor('float32', [1, 3, 224, 224], values(3 * 224 * 224, (i) => Math.sin(i / 97)));
      const [y0, y1] = await Promise.all([model, a].map(async (m) => (await m.run({ pixel_values: pixels }, ['image_embeds']))['image_embeds']!.data));
      expect(Array.from(y1!)).not.toEqual(Array.from(y0!));

      const all = await model.withInitializers(randomReplacements(proto, layers, 42), 'all');
      made.push(all);
      const everything = initializers(all);
      const floats = proto.graph!.initializer.filter((t) => t.data_type === DataType.FLOAT && t.dims.reduce((n, d) => n * d, 1) > 1).map((t) => t.name!);
      expect(floats.length).toBeGreaterThan(0);
      for (const name of floats) expect(everything.get(name), name).not.toEqual(before.get(name));
    } finally {
      for (const m of made) await m.dispose();
      await model.dispose();
    }
  });

  it('refuses a replacement of another shape, naming the initializer', async () => {
    const model = await DifferentiableOnnxModel.load(TINY, { cacheDir: null });
    try {
      await expect(model.withInitializers(new Map([['conv1.weight', tensor('float32', [2], new Float32Array(2))]]), 'bad')).rejects.toThrow(/conv1\.weight/);
    } finally {
      await model.dispose();
    }
  });
});

import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DifferentiableOnnxModel, encodeNpy, readNpy, tensor, type Tensor, maxRelativeError } from '@envision/core';
import { envision, root } from './cli.js';
import { DataType, encodeModel, makeGraph, makeModel, makeNode, makeTensorValueInfo } from '@envision/onnx-grad';

// Fixtures exported by scripts/dev/make_grad_fixtures.py with reference gradients from torch.autograd (float64).
const fixtures = join(root, 'fixtures/grad');
interface Meta {
  wrt: string | null;
  of: string;
  inputs: Record<string, string>;
}
const meta = (name: string) => JSON.parse(readFileSync(join(fixtures, name, 'meta.json'), 'utf8')) as Meta;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envision-grad-'));
  process.env.ENVISION_CACHE_DIR = join(dir, 'cache');
});


function inputArgs(name: string): string[] {
  return Object.entries(meta(name).inputs).flatMap(([input, file]) => ['--input', `${input}=${join(fixtures, name, file)}`]);
}

describe('envision grad matches torch.autograd on exported encoders', () => {
  for (const name of ['swin', 'resnet', 'resnet-bn', 'bert-embeds', 'cnn-misc']) {
    it(`${name}: K rows, and one row`, async () => {
      const m = meta(name);
      const out = join(dir, `${name}.npy`);
      const args = ['grad', '--model', join(fixtures, name, 'model.onnx'), ...inputArgs(name), '--of', m.of, '--wrt', m.wrt!, '--out', out];
      const r = envision([...args, '--cotangent', join(fixtures, name, 'cotangent.npy')]);
      expect(r.stderr).toMatch(/wrote/);
      expect(r.code).toBe(0);
      const expected = await readNpy(join(fixtures, name, 'expected.npy'));
      const got = await readNpy(out);
      expect(got.shape).toEqual(expected.shape);
      expect(maxRelativeError(got.data as Float32Array, expected.data as Float32Array)).toBeLessThan(1e-4);

      // One row: the first cotangent row alone.
      const cot = (await readNpy(join(fixtures, name, 'cotangent.npy'))) as Tensor<'float32'>;
      const rowSize = cot.data.length / cot.shape[0]!;
      const one = join(dir, `${name}-row0.npy`);
      writeFileSync(one, encodeNpy(tensor('float32', [1, ...cot.shape.slice(1)], cot.data.slice(0, rowSize))));
      const out1 = join(dir, `${name}-1.npy`);
      args[args.length - 1] = out1;
      expect(envision([...args, '--cotangent', one]).code).toBe(0);
      const inner = expected.data.length / expected.shape[0]!;
      expect(maxRelativeError((await readNpy(out1)).data as Float32Array, (expected.data as Float32Array).subarray(0, inner))).toBeLessThan(1e-4);
    });
  }

  it('batches B images × K rows in one call (resnet, B = 2): each equals the single-image gradient', async () => {
    const model = await DifferentiableOnnxModel.load(join(fixtures, 'resnet', 'model.onnx'), { cacheDir: null });
    const x = (await readNpy(join(fixtures, 'resnet', 'inputs', 'x.npy'))) as Tensor<'float32'>;
    const cot = (await readNpy(join(fixtures, 'resnet', 'cotangent.npy'))) as Tensor<'float32'>;
    const expected = await readNpy(join(fixtures, 'resnet', 'expected.npy'));
    const x2 = new Float32Array(x.data.length * 2);
    x2.set(x.data);
    x2.set(x.data.map((v) => -v), x.data.length);
    const { gradient } = await model.vjp({ x: tensor('float32', [2, ...x.shape.slice(1)], x2) }, 'y', 'x', cot);
    expect(gradient.shape).toEqual([2, 3, 3, 32, 32]);
    expect(maxRelativeError(gradient.data.subarray(0, expected.data.length), expected.data as Float32Array)).toBeLessThan(1e-4);
    const single = await model.vjp({ x: tensor('float32', x.shape, x2.subarray(x.data.length)) }, 'y', 'x', cot);
    expect(maxRelativeError(gradient.data.subarray(expected.data.length), single.gradient.data)).toBeLessThan(1e-5);
    await model.dispose();
  });
});

describe('envision grad: bad input', () => {
  it('an op without a gradient rule: exit 2, naming the op and the node, no output', () => {
    const model = join(dir, 'hardmax.onnx');
    const graph = makeGraph(
      [makeNode('Hardmax', ['x'], ['h'], {}, 'my_hardmax'), makeNode('Relu', ['h'], ['y'], {}, 'relu')],
      'g',
      [makeTensorValueInfo('x', DataType.FLOAT, ['batch', 4])],
      [makeTensorValueInfo('y', DataType.FLOAT, ['batch', 4])],
    );
    writeFileSync(model, encodeModel(makeModel(graph, { '': 17 }, 8)));
    writeFileSync(join(dir, 'x4.npy'), encodeNpy(tensor('float32', [1, 4], new Float32Array([1, 2, 3, 4]))));
    writeFileSync(join(dir, 'c4.npy'), encodeNpy(tensor('float32', [1, 4], new Float32Array([1, 0, 0, 0]))));
    const out = join(dir, 'hardmax-grad.npy');
    const r = envision(['grad', '--model', model, '--input', `x=${join(dir, 'x4.npy')}`, '--of', 'y', '--wrt', 'x', '--cotangent', join(dir, 'c4.npy'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no gradient rule for op Hardmax \(node 'my_hardmax'\); perturbation methods \(occlusion\) still work/);
    expect(existsSync(out)).toBe(false);
  });

  it('a cotangent of the wrong shape', () => {
    const name = 'resnet';
    const m = meta(name);
    writeFileSync(join(dir, 'bad-cot.npy'), encodeNpy(tensor('float32', [2, 7], new Float32Array(14))));
    const out = join(dir, 'bad.npy');
    const r = envision(['grad', '--model', join(fixtures, name, 'model.onnx'), ...inputArgs(name), '--of', m.of, '--wrt', m.wrt!, '--cotangent', join(dir, 'bad-cot.npy'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the cotangent has shape \[2, 7\] but output 'y' is \[1, 10\]: expected \[K, 10\]/);
    expect(existsSync(out)).toBe(false);
  });
});

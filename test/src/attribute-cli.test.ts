import { describe, it, expect, beforeAll } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, parseNpy, readNpy, tensor, type Tensor, maxRelativeError } from '@envision/core';
import { envision, root } from './cli.js';

const fx = join(root, 'fixtures/occlusion');
let dir: string;


const base = (out: string, extra: string[] = []) => [
  'attribute',
  '--model', join(fx, 'encoder.onnx'),
  '--input', `x=${join(fx, 'x.npy')}`,
  '--of', 'y',
  '--wrt', 'x',
  '--method', 'occlusion',
  '--option', 'window=[3,4,4]',
  '--option', 'strides=[3,2,2]',
  '--out', out,
  ...extra,
];

/** Asserts a clean failure: exit 2, one line on stderr matching `pattern`, no output file, no temp file left. */
function expectCleanFailure(args: string[], out: string, pattern: RegExp): void {
  const r = envision(args);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.code).toBe(2);
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envision-attr-'));
});

describe('envision attribute (the exact contract)', () => {
  it('--target i matches the Captum reference and writes float32 [1, …S]', async () => {
    const out = join(dir, 'onehot.npy');
    const r = envision([...base(out), '--target', '2']);
    expect(r.stderr).toMatch(/wrote/);
    expect(r.code).toBe(0);
    const got = await readNpy(out);
    expect(got.dtype).toBe('float32');
    expect(got.shape).toEqual([1, 3, 16, 16]);
    expect(maxRelativeError(got, await readNpy(join(fx, 'expected_onehot.npy')))).toBeLessThan(1e-4);
  });

  for (const strategy of ['direct', 'jacobian']) {
    it(`--target-weights K rows with --strategy ${strategy} matches the reference`, async () => {
      const out = join(dir, `weights-${strategy}.npy`);
      const r = envision([...base(out), '--target-weights', join(fx, 'weights.npy'), '--strategy', strategy]);
      expect(r.code).toBe(0);
      const got = await readNpy(out);
      expect(got.shape).toEqual([3, 3, 16, 16]);
      expect(maxRelativeError(got, await readNpy(join(fx, 'expected_weights.npy')))).toBeLessThan(1e-4);
    });
  }
});

describe('envision attribute with gradient methods', () => {
  const resnet = join(root, 'fixtures/grad/resnet');
  const methods = join(root, 'fixtures/methods/resnet');
  it('ig reports its convergence delta per target row with --json, and matches the torch reference', async () => {
    const out = join(dir, 'ig.npy');
    const r = envision([
      'attribute', '--model', join(resnet, 'model.onnx'), '--input', `x=${join(resnet, 'inputs/x.npy')}`, '--of', 'y', '--wrt', 'x',
      '--method', 'ig', '--option', 'integration=riemann_trapezoid', '--target-weights', join(methods, 'weights.npy'), '--out', out, '--json',
    ]);
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout.trim()) as { shape: number[]; strategy: string; report: { convergenceDelta: number[] } };
    expect(line.shape).toEqual([3, 3, 32, 32]);
    expect(line.strategy).toBe('direct');
    expect(line.report.convergenceDelta).toHaveLength(3);
    expect(maxRelativeError(await readNpy(out), await readNpy(join(methods, 'ig_riemann_trapezoid.npy')))).toBeLessThan(1e-4);
  });

  it('--strategy jacobian works for a nonlinear method (guided backprop) and matches the per-dimension reference', async () => {
    const out = join(dir, 'gb.npy');
    const r = envision([
      'attribute', '--model', join(resnet, 'model.onnx'), '--input', `x=${join(resnet, 'inputs/x.npy')}`, '--of', 'y', '--wrt', 'x',
      '--method', 'guided-backprop', '--target-weights', join(methods, 'weights.npy'), '--strategy', 'jacobian', '--out', out,
    ]);
    expect(r.code).toBe(0);
    expect(maxRelativeError(await readNpy(out), await readNpy(join(methods, 'guided_backprop_jacobian.npy')))).toBeLessThan(1e-4);
  });
});

describe('envision attribute: bad input fails cleanly (exit 2, one line, no output file)', () => {
  it('a missing model file', () => {
    const out = join(dir, 'a.npy');
    const args = base(out, ['--target', '0']);
    args[2] = join(dir, 'missing.onnx');
    expectCleanFailure(args, out, /cannot read model .*missing\.onnx/);
  });
  it('a file that is not ONNX', () => {
    const out = join(dir, 'b.npy');
    const bogus = join(dir, 'bogus.onnx');
    writeFileSync(bogus, 'this is not a model\n');
    const args = base(out, ['--target', '0']);
    args[2] = bogus;
    expectCleanFailure(args, out, /bogus\.onnx is not a loadable ONNX model/);
  });
  it('a truncated ONNX file', () => {
    const out = join(dir, 'c.npy');
    const cut = join(dir, 'cut.onnx');
    writeFileSync(cut, readFileSync(join(fx, 'encoder.onnx')).subarray(0, 2000));
    const args = base(out, ['--target', '0']);
    args[2] = cut;
    expectCleanFailure(args, out, /cut\.onnx is not a loadable ONNX model/);
  });
  it('a missing input file', () => {
    const out = join(dir, 'd.npy');
    const args = base(out, ['--target', '0']);
    args[4] = `x=${join(dir, 'nope.npy')}`;
    expectCleanFailure(args, out, /cannot read .*nope\.npy/);
  });
  it('a truncated npy file', () => {
    const out = join(dir, 'd2.npy');
    const cut = join(dir, 'cut.npy');
    writeFileSync(cut, readFileSync(join(fx, 'x.npy')).subarray(0, 500));
    const args = base(out, ['--target', '0']);
    args[4] = `x=${cut}`;
    expectCleanFailure(args, out, /cut\.npy: not a valid npy file: .*needs 3072 data bytes/);
  });
  it('an input name the model lacks', () => {
    const out = join(dir, 'e.npy');
    const args = base(out, ['--target', '0']);
    args[4] = `pixels=${join(fx, 'x.npy')}`;
    expectCleanFailure(args, out, /has no input 'pixels' \(inputs: x\)/);
  });
  it('an input of the wrong shape', () => {
    const out = join(dir, 'f.npy');
    const small = join(dir, 'small.npy');
    writeFileSync(small, encodeNpy(tensor('float32', [1, 3, 8, 8], new Float32Array(192))));
    const args = base(out, ['--target', '0']);
    args[4] = `x=${small}`;
    expectCleanFailure(args, out, /input 'x' must have shape \[batch, 3, 16, 16\], got \[1, 3, 8, 8\]/);
  });
  it('an input of the wrong type', () => {
    const out = join(dir, 'g.npy');
    const f64 = join(dir, 'f64.npy');
    const x = parseNpy(readFileSync(join(fx, 'x.npy')));
    writeFileSync(f64, encodeNpy(tensor('float64', x.shape, Float64Array.from(x.data as Float32Array))));
    const args = base(out, ['--target', '0']);
    args[4] = `x=${f64}`;
    expectCleanFailure(args, out, /input 'x' must be float32, got float64/);
  });
  it('an unknown method id, with a suggestion', () => {
    const out = join(dir, 'h.npy');
    const args = base(out, ['--target', '0']);
    args[10] = 'oclusion';
    expectCleanFailure(args, out, /unknown method 'oclusion'; did you mean 'occlusion'\? \(valid: deconvnet, feature-ablation, grad-cam, gradshap, guided-backprop, ig, input-x-gradient, kernel-shap, layer-ig, lime, noise-tunnel, occlusion, rise, saliency, shapley-sampling\)/);
  });
  it('an option of the wrong type', () => {
    const out = join(dir, 'i.npy');
    const args = base(out, ['--target', '0', '--option', 'baseline=dark']);
    expectCleanFailure(args, out, /options\.baseline must be number/);
  });
  it('a target index out of range', () => {
    const out = join(dir, 'j.npy');
    expectCleanFailure(base(out, ['--target', '6']), out, /target index 6 is out of range: the output has 6 elements/);
  });
  it('target weights of the wrong shape', () => {
    const out = join(dir, 'k.npy');
    const w = join(dir, 'w5.npy');
    writeFileSync(w, encodeNpy(tensor('float32', [2, 5], new Float32Array(10))));
    expectCleanFailure(base(out, ['--target-weights', w]), out, /target weights have shape \[2, 5\] but output 'y' is \[1, 6\]: expected \[K, 6\]/);
  });
  it('an output folder that cannot be written', () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'a file, not a folder');
    const out = join(blocker, 'sub', 'out.npy');
    const r = envision(base(out, ['--target', '0']));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write .*out\.npy: folder .* is not writable/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('a missing required flag and an unknown flag', () => {
    const r1 = envision(['attribute', '--model', join(fx, 'encoder.onnx')]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/--input is required/);
    const r2 = envision(['attribute', '--bogus']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/Unknown option '--bogus'/);
  });
  it('an existing output file is replaced whole, never half-written', async () => {
    const out = join(dir, 'replace.npy');
    copyFileSync(join(fx, 'x.npy'), out);
    expect(envision([...base(out), '--target', '1']).code).toBe(0);
    expect((await readNpy(out)).shape).toEqual([1, 3, 16, 16]);
  });
});

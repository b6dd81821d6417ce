import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, sumChannels, tensor, type Tensor, maxRelativeError } from '@envision/core';
import { envision, root } from './cli.js';

// The pipeline's two approaches on the tiny dual encoder (a ReLU CNN): the same experiment run with
// strategy direct and with strategy jacobian (per-dimension maps stored, then fused).
let dir: string;
const prompts = ['mild linear atelectasis at the mid lung zone', 'small bilateral pleural effusions.', 'Cardiomegaly'];

function experiment(strategy: string, out: string, methods: string, targets: string): string {
  const file = join(dir, `${strategy}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `model: { adapter: medclip, bundle: ${join(root, 'fixtures/tiny-dual')} }
images: [${join(root, 'fixtures/images/cxr-b.png')}]
methods:
${methods}
targets:
${targets}
strategy: ${strategy}
output: { dir: ${out}, signs: [all] }
`,
  );
  return file;
}

interface Manifest {
  items: { method: string; target: string; strategy: string; npy: string; labels: string[] }[];
  perDimension: { method: string; npy: string }[];
}
function run(file: string, out: string): Manifest {
  const r = envision(['run', file, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
}

/** Channel-summed maps [R, H, W] of an item, whichever strategy wrote it. */
async function summed(out: string, npy: string): Promise<Float32Array> {
  const t = (await readNpy(join(out, npy))) as Tensor<'float32'>;
  if (t.shape.length === 3) return t.data;
  const [r, c, h, w] = t.shape as [number, number, number, number];
  const result = new Float32Array(r * h * w);
  for (let k = 0; k < r; k++) result.set(sumChannels(tensor('float32', [c, h, w], t.data.subarray(k * c * h * w, (k + 1) * c * h * w))), k * h * w);
  return result;
}


beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envision-strategies-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('direct and jacobian strategies in the pipeline', () => {
  const methods = `  - { id: saliency, options: { abs: false } }
  - { id: ig, options: { steps: 8 } }
  - { id: occlusion, options: { window: [3, 56, 56], strides: [3, 56, 56] } }
  - { id: guided-backprop }`;
  const targets = `  - { name: prompts, texts: ${JSON.stringify(prompts)} }`;
  let direct: Manifest;
  let jacobian: Manifest;
  const outDirect = () => join(dir, 'direct');
  const outJacobian = () => join(dir, 'jacobian');
  beforeAll(() => {
    direct = run(experiment('direct', outDirect(), methods, targets), outDirect());
    jacobian = run(experiment('jacobian', outJacobian(), methods, targets), outJacobian());
  });

  it('records the strategy that ran, and stores the per-dimension maps [M, H, W] once per method for jacobian', async () => {
    expect(direct.items.every((i) => i.strategy === 'direct')).toBe(true);
    expect(jacobian.items.every((i) => i.strategy === 'jacobian')).toBe(true);
    expect(jacobian.perDimension.map((p) => p.method).sort()).toEqual(['guided-backprop', 'ig', 'occlusion', 'saliency']);
    expect((await readNpy(join(outJacobian(), jacobian.perDimension[0]!.npy))).shape).toEqual([32, 224, 224]);
  });

  for (const method of ['saliency', 'ig', 'occlusion']) {
    it(`agree to 1e-4 for a method linear in its target: ${method}`, async () => {
      const a = await summed(outDirect(), direct.items.find((i) => i.method === method)!.npy);
      const b = await summed(outJacobian(), jacobian.items.find((i) => i.method === method)!.npy);
      expect(maxRelativeError(b, a)).toBeLessThan(1e-4);
    });
  }

  it('differ for guided backprop on a ReLU model', async () => {
    const a = await summed(outDirect(), direct.items.find((i) => i.method === 'guided-backprop')!.npy);
    const b = await summed(outJacobian(), jacobian.items.find((i) => i.method === 'guided-backprop')!.npy);
    expect(maxRelativeError(b, a)).toBeGreaterThan(1e-2);
  });

  it('auto picks jacobian for guided backprop and direct for the linear methods', () => {
    const out = join(dir, 'auto');
    const auto = run(experiment('auto', out, methods, targets), out);
    expect(Object.fromEntries(auto.items.map((i) => [i.method, i.strategy]))).toEqual({
      saliency: 'direct',
      ig: 'direct',
      occlusion: 'direct',
      'guided-backprop': 'jacobian',
    });
  });
});

describe('classifier targets (the baseline)', () => {
  it('with the mean ensemble, a class map is the mean of its prompts\u2019 cosine-logit maps', async () => {
    const out = join(dir, 'classifier');
    const classes = { Atelectasis: prompts.slice(0, 2), Cardiomegaly: prompts.slice(2) };
    const targets = `  - { name: classes, target: classifier, classes: ${JSON.stringify(classes)}, fusion: { id: mean } }
  - { name: per-prompt-a, classes: { Atelectasis: ${JSON.stringify(classes.Atelectasis)} }, fusion: { id: cosine } }`;
    const m = run(experiment('direct', out, '  - { id: saliency, options: { abs: false } }', targets), out);
    const cls = m.items.find((i) => i.target === 'classes')!;
    expect(cls.labels).toEqual(['Atelectasis', 'Cardiomegaly']);
    const classMaps = await summed(out, cls.npy);
    const promptMaps = await summed(out, m.items.find((i) => i.target === 'per-prompt-a')!.npy);
    const n = 224 * 224;
    const mean = Float32Array.from({ length: n }, (_, j) => (promptMaps[j]! + promptMaps[n + j]!) / 2);
    expect(maxRelativeError(classMaps.subarray(0, n), mean)).toBeLessThan(1e-4);
  });
});

import { describe, expect, it } from 'vitest';
import { type DifferentiableModel, type Model, SeededRandom, type Tensor, tensor } from '@envision/onnx-grad';
import type { AttributionMethod, AttributionRequest, MethodMeta } from '../method.js';
import { explainedScores, pointGradients } from '../point-gradients.js';
import { checkMethod } from './check-method.js';
import { failedChecks } from './failed-checks.test-support.js';
import { tinyCheckModel } from './tiny-model.js';
import { handGradient } from './tiny-model.test-support.js';

type Linearity<O> = boolean | ((options: O) => boolean);

/** A method for these tests; its linearity goes under `name` (the current or the deprecated one) only. */
function method<O>(
  id: string,
  kind: 'gradient' | 'perturbation',
  linearity: { linear: Linearity<O> } | { linearInTarget: Linearity<O> },
  attribute: (request: AttributionRequest<O>) => Promise<Tensor<'float32'>>,
  optionsSchema: Record<string, unknown> = { type: 'object', properties: {}, additionalProperties: false },
  defaultOptions: Partial<O> = {},
): AttributionMethod<O> {
  const meta = { id, kind, ...linearity, optionsSchema, defaultOptions, description: id, paper: '-' } as unknown as MethodMeta<O>;
  return { meta, attribute: async (request) => ({ maps: await attribute(request) }) };
}

/** ∂(t_k · y)/∂x at the request's input: the gradient rows `[K, …S]`, optionally scaled or taken in magnitude. */
async function gradients(request: AttributionRequest<unknown>, scale = 1, abs = false): Promise<Tensor<'float32'>> {
  const x = request.inputs[request.wrt] as Tensor<'float32'>;
  const g = await pointGradients(request, x, 'test');
  const data = Float32Array.from(g.data, (v) => (abs ? Math.abs(v) : v) * scale);
  return tensor('float32', g.shape.slice(1), data);
}

const saliencySchema = { type: 'object', properties: { abs: { type: 'boolean' } }, additionalProperties: false };
const saliency = method<{ abs: boolean }>('saliency', 'gradient', { linear: (o) => !o.abs }, (r) => gradients(r, 1, r.options.abs), saliencySchema, { abs: false });

/** Ablation: s(x) − s(x with element i zeroed), for every element i, in one batch of forward passes. */
const ablation = method('ablation', 'perturbation', { linear: true }, async (request) => {
  const x = request.inputs[request.wrt] as Tensor<'float32'>;
  const n = x.data.length;
  const points = new Float32Array((n + 1) * n);
  for (let p = 0; p <= n; p++) {
    points.set(x.data, p * n);
    if (p < n) points[p * n + p] = 0;
  }
  const scores = await explainedScores(request, tensor('float32', [n + 1, ...x.shape.slice(1)], points));
  const k = request.target.shape[0]!;
  return tensor('float32', [k, ...x.shape.slice(1)], Float32Array.from({ length: k * n }, (_, i) => scores[n * k + Math.floor(i / n)]! - scores[(i % n) * k + Math.floor(i / n)]!));
});

describe('checkMethod on correct methods', () => {
  it('passes a gradient method on the default model, its vjp checked and its maps equal to a hand-written gradient', async () => {
    const results = await checkMethod(saliency, { reference: handGradient });
    expect(results.map((r) => r.name)).toEqual(['options', 'maps', 'deterministic', 'linear', 'vjp', 'reference']);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.find((r) => r.name === 'maps')!.detail).toBe('float32 [2, 3, 8, 8], finite');
  });

  it('passes a perturbation method and skips the vjp check for it', async () => {
    const results = await checkMethod(ablation);
    expect(results.find((r) => r.name === 'linear')!.detail).toMatch(/^A\(0.7·t1 − 1.3·t2\).*tolerance 1e-4\)$/);
    expect(results.find((r) => r.name === 'vjp')!.detail).toMatch(/skipped/);
  });

  it('skips linearity for options under which the method is not linear, read from the deprecated linearInTarget too', async () => {
    const old = method<{ abs: boolean }>('old-saliency', 'gradient', { linearInTarget: (o) => !o.abs }, (r) => gradients(r, 1, r.options.abs), saliencySchema);
    const results = await checkMethod(old, { options: { abs: true } });
    expect(results.find((r) => r.name === 'linear')).toEqual({ name: 'linear', ok: true, detail: 'not declared linear for these options: skipped' });
  });

  it('fixes the seed of a seeded method, so that its noise repeats', async () => {
    const schema = { type: 'object', properties: { seed: { type: 'integer' } } };
    const noisy = method<{ seed: number }>('noisy', 'gradient', { linear: false }, async (r) => {
      const g = await gradients(r);
      const random = new SeededRandom(r.options.seed);
      return tensor('float32', g.shape, Float32Array.from(g.data, (v) => v + 1e-3 * random.normal()));
    }, schema);
    const results = await checkMethod(noisy);
    expect(results.find((r) => r.name === 'options')!.detail).toBe('valid against the schema (seed set to 1)');
  });

  it('takes a model, inputs and target rows of the caller', async () => {
    const tiny = await tinyCheckModel();
    try {
      const targetRows = tensor('float32', [3, 4], Float32Array.from({ length: 12 }, (_, i) => (i % 5) - 2));
      const results = await checkMethod(saliency, { model: tiny.model, inputs: tiny.inputs, targetRows });
      expect(results.find((r) => r.name === 'maps')!.detail).toBe('float32 [3, 3, 8, 8], finite');
    } finally {
      await tiny.dispose();
    }
  });
});

describe('checkMethod on broken methods names the failed check', () => {
  it('maps: a method that keeps the batch axis, [1, K, …S]', async () => {
    const batched = method('batched', 'gradient', { linear: true }, async (r) => {
      const g = await gradients(r);
      return tensor('float32', [1, ...g.shape], g.data);
    });
    const error = failedChecks(checkMethod(batched));
    expect(await error).toEqual(['maps']);
    await expect(checkMethod(batched)).rejects.toThrow(/^checkMethod\(batched\) failed 1 of 6 checks: maps: method batched returned maps of shape \[1, 2, 3, 8, 8\] for 2 target rows and input \[1, 3, 8, 8\]: expected \[2, 3, 8, 8\]$/);
  });

  it('maps: a method whose maps hold NaN', async () => {
    const nan = method('nan', 'perturbation', { linear: false }, async (r) => {
      const g = await gradients(r);
      g.data[5] = Number.NaN;
      return g;
    });
    expect(await failedChecks(checkMethod(nan))).toEqual(['maps']);
  });

  it('deterministic: a method with unseeded noise', async () => {
    const noisy = method('unseeded', 'gradient', { linear: false }, async (r) => {
      const g = await gradients(r);
      return tensor('float32', g.shape, Float32Array.from(g.data, (v) => v + 1e-3 * Math.random()));
    });
    expect(await failedChecks(checkMethod(noisy))).toEqual(['deterministic']);
  });

  it('linear: |gradient| declared linear, under either name', async () => {
    const absLinear = method('abs', 'gradient', { linear: true }, (r) => gradients(r, 1, true));
    const absOld = method('abs-old', 'gradient', { linearInTarget: true }, (r) => gradients(r, 1, true));
    expect(await failedChecks(checkMethod(absLinear))).toEqual(['linear']);
    expect(await failedChecks(checkMethod(absOld))).toEqual(['linear']);
  });

  it('vjp: a model whose vjp has the wrong sign (the method itself is consistent with it)', async () => {
    const tiny = await tinyCheckModel();
    try {
      const m = tiny.model;
      const flipped: DifferentiableModel = {
        inputs: m.inputs,
        outputs: m.outputs,
        run: (feeds, names) => m.run(feeds, names),
        vjp: async (feeds, of, wrt, c) => {
          const r = await m.vjp(feeds, of, wrt, c);
          return { ...r, gradient: tensor('float32', r.gradient.shape, r.gradient.data.map((v) => -v)) };
        },
      };
      expect(await failedChecks(checkMethod(saliency, { model: flipped, inputs: tiny.inputs }))).toEqual(['vjp']);
    } finally {
      await tiny.dispose();
    }
  });

  it('vjp: a gradient method given a model without vjp; the method error is the cause', async () => {
    const tiny = await tinyCheckModel();
    try {
      const forwardOnly: Model = { inputs: tiny.model.inputs, outputs: tiny.model.outputs, run: (f, n) => tiny.model.run(f, n) };
      const kit = checkMethod(saliency, { model: forwardOnly, inputs: tiny.inputs });
      await expect(kit).rejects.toMatchObject({ code: 'E_CHECK', cause: { code: 'E_METHOD' } });
      expect(await failedChecks(checkMethod(saliency, { model: forwardOnly, inputs: tiny.inputs }))).toEqual(['deterministic', 'linear', 'maps', 'vjp']);
    } finally {
      await tiny.dispose();
    }
  });

  it('reference: a gradient twice too large', async () => {
    const doubled = method('doubled', 'gradient', { linear: true }, (r) => gradients(r, 2));
    expect(await failedChecks(checkMethod(doubled, { reference: handGradient }))).toEqual(['reference']);
    expect(await failedChecks(checkMethod(saliency, { options: { abs: true }, reference: handGradient }))).toEqual(['reference']);
  });

  it('options: options the schema rejects', async () => {
    expect(await failedChecks(checkMethod(saliency, { options: { abs: 'yes' as unknown as boolean } }))).toEqual(['options']);
  });

  it('refuses a model without inputs, or without the attributed one', async () => {
    const tiny = await tinyCheckModel();
    await tiny.dispose();
    await expect(checkMethod(saliency, { model: tiny.model })).rejects.toMatchObject({ code: 'E_CHECK', message: 'checkMethod(saliency): give inputs with model' });
    await expect(checkMethod(saliency, { model: tiny.model, inputs: tiny.inputs, wrt: 'z' })).rejects.toMatchObject({ code: 'E_CHECK', message: "checkMethod(saliency): inputs has no float32 tensor 'z' to attribute" });
  });
});

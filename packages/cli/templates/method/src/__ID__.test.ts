import { test } from 'node:test';
import { type AttributionRequest, type Tensor, checkMethod, tensor } from '@envision/core';
import { __IDENT__, type __TYPE__Options } from './__ID__.js';

/**
 * The maps computed another way: the gradient by central differences of the forward model, ∂s_k/∂x_i ≈
 * (s_k(x + h·e_i) − s_k(x − h·e_i)) / 2h, instead of the model's vector–Jacobian product.
 */
async function byFiniteDifferences(request: AttributionRequest<__TYPE__Options>): Promise<Tensor<'float32'>> {
  const { model, inputs, wrt, of, target, options } = request;
  const x = inputs[wrt]!;
  const values = x.data as Float32Array;
  const n = values.length;
  const k = target.shape[0]!;
  // The model runs in float32: a step of 1e-2 balances rounding (~1e-7 / h) against truncation (~h²), ~1e-4 overall.
  const h = 1e-2;
  // All 2n perturbed inputs as one batch.
  const batch = new Float32Array(2 * n * n);
  for (let i = 0; i < n; i++) {
    batch.set(values, 2 * i * n);
    batch.set(values, (2 * i + 1) * n);
    batch[2 * i * n + i] = values[i]! + h;
    batch[(2 * i + 1) * n + i] = values[i]! - h;
  }
  const feeds = { ...inputs, [wrt]: tensor('float32', [2 * n, ...x.shape.slice(1)], batch) };
  const y = (await model.run(feeds, [of]))[of]!.data as Float32Array;
  const o = y.length / (2 * n);
  const maps = new Float32Array(k * n);
  for (let r = 0; r < k; r++) {
    for (let i = 0; i < n; i++) {
      let plus = 0;
      let minus = 0;
      for (let j = 0; j < o; j++) {
        plus += target.data[r * o + j]! * y[2 * i * o + j]!;
        minus += target.data[r * o + j]! * y[(2 * i + 1) * o + j]!;
      }
      maps[r * n + i] = (values[i]! - options.baseline) * ((plus - minus) / (2 * h));
    }
  }
  return tensor('float32', [k, ...x.shape.slice(1)], maps);
}

test('__ID__ passes the method kit: shapes, determinism, linearity, the vjp, and maps by finite differences', async () => {
  const results = await checkMethod(__IDENT__, { reference: byFiniteDifferences, tolerance: 1e-3 });
  for (const r of results) console.log(`  ${r.name}: ${r.detail}`);
});

test('__ID__ with a baseline passes the kit too', async () => {
  await checkMethod(__IDENT__, { options: { baseline: 0.5 }, reference: byFiniteDifferences, tolerance: 1e-3 });
});

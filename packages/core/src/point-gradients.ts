import { EnvisionError, isDifferentiable, type NamedTensors, type Tensor, repeatBatch, sizeOf, tensor } from '@envision/onnx-grad';
import type { AttributionRequest, OutputHead } from './method.js';

/**
 * Gradients of the K explained scalars at a batch of points (the interpolation points of integrated gradients, the
 * samples of GradientShap): float32 `[count, K, …S]`. Without a head the scalars are `target_k · f`, and all points go
 * through one batched vector–Jacobian product; with a nonlinear head the cotangent rows depend on the point, so each
 * point is evaluated forward, its cotangents taken from the head, and its gradient computed on its own.
 *
 * @param request - the attribution request (model, inputs, wrt, of, target, head)
 * @param points - the points, `[count, …S]`
 * @param method - names the method in errors
 */
export async function pointGradients(request: AttributionRequest<unknown>, points: Tensor<'float32'>, method: string): Promise<Tensor<'float32'>> {
  const { model, inputs, wrt, of, target, head } = request;
  if (!isDifferentiable(model)) {
    throw new EnvisionError('E_METHOD', `${method} needs gradients, which this model does not provide; perturbation methods (occlusion) still work`);
  }
  const feeds: NamedTensors = { ...inputs, [wrt]: points };
  if (head === undefined) return (await model.vjp(feeds, of, wrt, target)).gradient;
  const count = points.shape[0]!;
  const inner = points.shape.slice(1);
  const n = sizeOf(inner);
  const k = target.shape[0]!;
  const outputs = (await model.run(feeds, [of]))[of] as Tensor<'float32'>;
  const o = sizeOf(outputs.shape.slice(1));
  const result = new Float32Array(count * k * n);
  for (let j = 0; j < count; j++) {
    const output = tensor('float32', [1, ...outputs.shape.slice(1)], outputs.data.subarray(j * o, (j + 1) * o));
    const point = tensor('float32', [1, ...inner], points.data.subarray(j * n, (j + 1) * n));
    const { gradient } = await model.vjp({ ...inputs, [wrt]: point }, of, wrt, head.cotangents(output));
    result.set(gradient.data, j * k * n);
  }
  return tensor('float32', [count, k, ...inner], result);
}

/** The K explained scalars at a batch of inputs `[B, …S]`: `head.scores` or `target · f`, as `[B, K]`. */
export async function explainedScores(request: AttributionRequest<unknown>, points: Tensor<'float32'>): Promise<Float32Array> {
  const { model, inputs, wrt, of, target, head } = request;
  const feeds: NamedTensors = { ...inputs, [wrt]: points };
  const b = points.shape[0]!;
  for (const [name, t] of Object.entries(inputs)) if (name !== wrt && t.shape[0] === 1 && b > 1) feeds[name] = repeatBatch(t, b);
  const out = (await model.run(feeds, [of]))[of] as Tensor<'float32'>;
  return scoreOutputs(out, target, head);
}

/**
 * The K scalars explained for a batch of outputs `[B, …O]`: `head.scores(output)` when a head is given, else the
 * weighted sums target_k · output_b. Returns `[B, K]`. What perturbation methods score their perturbed outputs with.
 */
export function scoreOutputs(output: Tensor<'float32'>, target: Tensor<'float32'>, head?: OutputHead): Float32Array {
  if (head !== undefined) return head.scores(output);
  const batch = output.shape[0]!;
  const k = target.shape[0]!;
  const o = sizeOf(target.shape.slice(1));
  const scores = new Float32Array(batch * k);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < k; r++) {
      let s = 0;
      for (let i = 0; i < o; i++) s += target.data[r * o + i]! * output.data[b * o + i]!;
      scores[b * k + r] = s;
    }
  }
  return scores;
}

import { EnvisionError, isDifferentiable, type AttributionRequest, type DifferentiableModel, type Tensor, tensor } from '@envision/core';

/**
 * The gradient of each weighted target row, ∂(w_k · f)/∂x, as `[K, …S]`: one vector–Jacobian product with all K rows
 * in one batched call.
 */
export async function targetGradients(request: AttributionRequest<unknown>, model: DifferentiableModel = differentiable(request)): Promise<Tensor<'float32'>> {
  const { inputs, wrt, of, target } = request;
  const { gradient } = await model.vjp(inputs, of, wrt, target);
  return tensor('float32', gradient.shape.slice(1), gradient.data);
}

/** The request's model as a {@link DifferentiableModel}, or an error naming the method. */
export function differentiable(request: AttributionRequest<unknown>, method = 'this method'): DifferentiableModel {
  if (!isDifferentiable(request.model)) {
    throw new EnvisionError('E_METHOD', `${method} needs gradients, which this model does not provide; perturbation methods (occlusion) still work`);
  }
  return request.model;
}

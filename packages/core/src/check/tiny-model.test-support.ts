// Test support (not built, not shipped): the default check model of checkMethod, by hand in plain loops — the outside
// reference for its forward pass and its gradients. y = W2ᵀ · mean_{i,j}(tanh(conv(x)_{·,i,j} + b1)).
import { type Tensor, tensor } from '@envision/onnx-grad';
import type { AttributionRequest } from '../method.js';
import { tinyCheckWeights } from './tiny-model.js';

const { W1, b1, W2 } = tinyCheckWeights();
const w1 = (o: number, c: number, u: number, v: number) => W1.data[((o * 3 + c) * 3 + u) * 3 + v]!;

/** The conv pre-activation h[o, i, j] of one 3×8×8 input (zero padding 1). */
function conv(x: Float32Array, o: number, i: number, j: number): number {
  let h = b1.data[o]!;
  for (let c = 0; c < 3; c++) {
    for (let u = 0; u < 3; u++) {
      for (let v = 0; v < 3; v++) {
        const [p, q] = [i + u - 1, j + v - 1];
        if (p >= 0 && q >= 0 && p < 8 && q < 8) h += w1(o, c, u, v) * x[(c * 8 + p) * 8 + q]!;
      }
    }
  }
  return h;
}

/** y `[4]` of one input x `[3, 8, 8]`. */
export function handForward(x: Float32Array): Float64Array {
  const y = new Float64Array(4);
  for (let o = 0; o < 4; o++) {
    let mean = 0;
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) mean += Math.tanh(conv(x, o, i, j)) / 64;
    for (let k = 0; k < 4; k++) y[k] += W2.data[o * 4 + k]! * mean;
  }
  return y;
}

/** ∂(t_k · y)/∂x for every target row of the request: `[K, 3, 8, 8]`. */
export function handGradient(request: AttributionRequest<unknown>): Tensor<'float32'> {
  const x = request.inputs[request.wrt]!.data as Float32Array;
  const k = request.target.shape[0]!;
  const out = new Float32Array(k * 192);
  for (let r = 0; r < k; r++) {
    for (let o = 0; o < 4; o++) {
      let g = 0;
      for (let j = 0; j < 4; j++) g += request.target.data[r * 4 + j]! * W2.data[o * 4 + j]!;
      for (let i = 0; i < 8; i++) {
        for (let j = 0; j < 8; j++) {
          const dh = (g / 64) * (1 - Math.tanh(conv(x, o, i, j)) ** 2);
          for (let c = 0; c < 3; c++) {
            for (let u = 0; u < 3; u++) {
              for (let v = 0; v < 3; v++) {
                const [p, q] = [i + u - 1, j + v - 1];
                if (p >= 0 && q >= 0 && p < 8 && q < 8) out[r * 192 + (c * 8 + p) * 8 + q]! += dh * w1(o, c, u, v);
              }
            }
          }
        }
      }
    }
  }
  return tensor('float32', [k, 3, 8, 8], out);
}

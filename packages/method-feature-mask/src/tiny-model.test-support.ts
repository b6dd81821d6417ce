import { tensor, type Model, type Tensor } from '@envision/core';

/**
 * A tiny nonlinear model for tests: input `x` [B, 1, 4, 4] → `y` [B, 2]. With s_q the sum of quadrant q (2 × 2 pixels,
 * row-major quadrants 0…3): y0 = s0·s1 + tanh(s2) − s3², y1 = s0 + 2 s1 − s2 + 0.5 s3 (additive). The 2 × 2 grid mask
 * has exactly these four quadrants as features, so every coalition can be enumerated.
 */
export function tinyModel(fixedBatch = false): Model & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    inputs: [{ name: 'x', dtype: 'float32', shape: [fixedBatch ? 1 : 'B', 1, 4, 4] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [fixedBatch ? 1 : 'B', 2] }],
    async run(feeds) {
      const x = feeds.x as Tensor<'float32'>;
      const b = x.shape[0]!;
      calls.push(b);
      const y = new Float32Array(b * 2);
      for (let j = 0; j < b; j++) {
        const s = quadrantSums(x.data.subarray(j * 16, (j + 1) * 16));
        y[j * 2] = s[0]! * s[1]! + Math.tanh(s[2]!) - s[3]! ** 2;
        y[j * 2 + 1] = s[0]! + 2 * s[1]! - s[2]! + 0.5 * s[3]!;
      }
      return { y: tensor('float32', [b, 2], y) };
    },
  };
}

function quadrantSums(x: ArrayLike<number>): number[] {
  const s = [0, 0, 0, 0];
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) s[(r >> 1) * 2 + (c >> 1)]! += x[r * 4 + c]!;
  return s;
}

/** The tiny model's input: a fixed, irregular image. */
export const tinyInput: Tensor<'float32'> = tensor('float32', [1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => Math.sin(1.3 * i + 0.4) * 0.8));

/**
 * The exact Shapley values of output `o` of the tiny model over the 4 quadrant features with absent features at
 * `baseline`: φ_f = Σ_{S ⊆ N∖f} |S|! (m − |S| − 1)! / m! · (v(S ∪ f) − v(S)), every coalition evaluated (float64).
 */
export async function exactShapley(model: Model, baseline: number, o: number): Promise<number[]> {
  const m = 4;
  const value = new Map<number, number>();
  for (let set = 0; set < 1 << m; set++) {
    const x = Float32Array.from(tinyInput.data, (v, i) => ((set >> ((((i >> 2) >> 1) * 2) + ((i & 3) >> 1))) & 1 ? v : baseline));
    const y = (await model.run({ x: tensor('float32', [1, 1, 4, 4], x) }, ['y'])).y!;
    value.set(set, y.data[o] as number);
  }
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  return Array.from({ length: m }, (_, f) => {
    let phi = 0;
    for (let set = 0; set < 1 << m; set++) {
      if (set & (1 << f)) continue;
      const size = [0, 1, 2, 3].filter((i) => set & (1 << i)).length;
      phi += ((factorial(size) * factorial(m - size - 1)) / factorial(m)) * (value.get(set | (1 << f))! - value.get(set)!);
    }
    return phi;
  });
}

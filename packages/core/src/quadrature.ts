/** Integration rules of Integrated Gradients, named as Captum names them. */
export type IntegrationMethod = 'gausslegendre' | 'riemann_left' | 'riemann_right' | 'riemann_middle' | 'riemann_trapezoid';

/** The integration rule's points α_k in [0, 1] and weights s_k: ∫₀¹ g(α) dα ≈ Σ_k s_k g(α_k). */
export interface Quadrature {
  readonly alphas: readonly number[];
  readonly weights: readonly number[];
}

/**
 * Captum's `approximation_parameters`: Riemann sums with n points (left k/n, right (k+1)/n, middle (k+½)/n, each with
 * weight 1/n; trapezoid k/(n−1) with weights 1/n, halved at both ends, exactly as Captum) or n-point Gauss–Legendre, its nodes and
 * weights mapped from [−1, 1] to [0, 1].
 */
export function quadrature(method: IntegrationMethod, n: number): Quadrature {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`steps must be a positive integer, got ${n}`);
  const k = Array.from({ length: n }, (_, i) => i);
  switch (method) {
    case 'riemann_left':
      return { alphas: k.map((i) => i / n), weights: k.map(() => 1 / n) };
    case 'riemann_right':
      return { alphas: k.map((i) => (i + 1) / n), weights: k.map(() => 1 / n) };
    case 'riemann_middle':
      return { alphas: k.map((i) => (i + 0.5) / n), weights: k.map(() => 1 / n) };
    case 'riemann_trapezoid': {
      if (n < 2) throw new RangeError('riemann_trapezoid needs at least 2 steps');
      // Captum's trapezoid: alphas linspace(0, 1, n), steps 1/n halved at both ends (they sum to 1 − 1/n).
      return { alphas: k.map((i) => i / (n - 1)), weights: k.map((i) => (i === 0 || i === n - 1 ? 0.5 : 1) / n) };
    }
    case 'gausslegendre': {
      const { nodes, weights } = gaussLegendre(n);
      return { alphas: nodes.map((x) => 0.5 * (x + 1)), weights: weights.map((w) => 0.5 * w) };
    }
  }
}

/**
 * The n-point Gauss–Legendre rule on [−1, 1] (numpy's `leggauss`): nodes are the roots of the Legendre polynomial
 * P_n, found by Newton's method from Tricomi's initial guesses; weights 2 / ((1 − x²) P_n'(x)²). Ascending order.
 */
export function gaussLegendre(n: number): { nodes: number[]; weights: number[] } {
  const nodes: number[] = new Array<number>(n);
  const weights: number[] = new Array<number>(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      // Legendre recurrence: (j+1) P_{j+1} = (2j+1) x P_j − j P_{j−1}
      let p0 = 1;
      let p1 = x;
      for (let j = 1; j < n; j++) [p0, p1] = [p1, ((2 * j + 1) * x * p1 - j * p0) / (j + 1)];
      const pn = n === 1 ? x : p1;
      const pPrev = n === 1 ? 1 : p0;
      derivative = (n * (x * pn - pPrev)) / (x * x - 1);
      const step = pn / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    if (2 * i + 1 === n) x = 0; // the middle root of an odd-degree Legendre polynomial
    nodes[n - 1 - i] = x;
    nodes[i] = -x + 0;
    const w = 2 / ((1 - x * x) * derivative * derivative);
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  return { nodes, weights };
}

import type { GradientRule, RuleContext } from '../rule.js';

/**
 * The operands' subscripts and the output's, explicit (`->`) or implicit (the indices used once, in alphabetical order),
 * checked against the concrete shapes: the rule's cases are exactly those this accepts.
 */
function parseEquation(ctx: RuleContext): { operands: string[]; output: string } {
  const equation = ctx.attrString('equation');
  const unsupported = (why: string): never => ctx.fail(`equation '${equation}' is not supported: ${why}`);
  const text = equation.replace(/\s+/g, '');
  if (text.includes('.')) unsupported('ellipsis');
  const [lhs, rhs, ...more] = text.split('->');
  if (more.length > 0) unsupported('more than one ->');
  const operands = lhs!.split(',');
  if (operands.length !== ctx.inputCount) unsupported(`${operands.length} operands for ${ctx.inputCount} inputs`);
  const all = operands.join('');
  // The implicit output order of mixed-case indices differs between runtimes (onnxruntime 1.30 refuses them).
  if (rhs === undefined && /[a-z]/.test(all) && /[A-Z]/.test(all)) unsupported('implicit output with both lower- and upper-case indices');
  const output = rhs ?? [...new Set(all)].filter((c) => all.indexOf(c) === all.lastIndexOf(c)).sort().join('');
  const sizes = new Map<string, number>();
  for (const [sub, shape] of [...operands.map((s, i) => [s, ctx.inputShape(i)] as const), [output, ctx.outputShape(0)] as const]) {
    if (!/^[a-zA-Z]*$/.test(sub)) unsupported(`'${sub}' is not a list of letters`);
    if (new Set(sub).size !== sub.length) unsupported(`'${sub}' repeats an index (diagonal or trace)`);
    if (sub.length !== shape.length) unsupported(`'${sub}' for a value of rank ${shape.length}`);
    [...sub].forEach((c, axis) => {
      if ((sizes.get(c) ?? shape[axis]) !== shape[axis]) unsupported(`index '${c}' has sizes ${sizes.get(c)} and ${shape[axis]} (broadcast)`);
      sizes.set(c, shape[axis]!);
    });
  }
  return { operands, output };
}

/**
 * Y = einsum(A₁, …, Aₙ), without ellipsis or repeated indices: dAᵢ = einsum(dY, A₍ⱼ≠ᵢ₎) with the equation rearranged
 * to produce Aᵢ's subscripts (`bij,bjk->bik` gives dA from `bik,bjk->bij`). Indices of Aᵢ found neither in Y nor in
 * the other operands were summed over Aᵢ alone: the gradient is constant along them, so it is broadcast (Expand).
 */
export const Einsum: GradientRule = {
  opType: 'Einsum',
  backward(ctx) {
    const { operands, output } = parseEquation(ctx);
    return operands.map((sub, i) => {
      if (!ctx.needsGrad(i)) return undefined;
      const others = operands.flatMap((s, j) => (j === i ? [] : [{ sub: s, value: ctx.input(j) }]));
      const reached = new Set([...output, ...others.map((o) => o.sub).join('')]);
      const kept = [...sub].filter((c) => reached.has(c)).join('');
      const equation = `${[output, ...others.map((o) => o.sub)].join(',')}->${kept}`;
      let d = others.length === 0 && kept === output ? ctx.grad()! : ctx.op('Einsum', [ctx.grad()!, ...others.map((o) => o.value)], { equation });
      if (kept.length < sub.length) {
        const summed = [...sub].flatMap((c, axis) => (reached.has(c) ? [] : [axis]));
        d = ctx.op('Expand', [ctx.op('Unsqueeze', [d, ctx.ints(summed)]), ctx.ints(ctx.inputShape(i))]);
      }
      return d;
    });
  },
};

import { describe, it, expect } from 'vitest';
import { type AttributeInput, makeNode } from '../../onnx/build.js';
import type { NodeProto } from '../../onnx/types.js';
import { checkGradient, checkModelGradient, randomTensor } from '../check-gradient.js';
import type { GradientRule } from '../rule.js';
import { Gemm } from './Gemm.js';

/** A 2-D transpose is its own inverse. */
const Transpose2D: GradientRule = { opType: 'Transpose', backward: (ctx) => [ctx.op('Transpose', [ctx.grad()!], { perm: [1n, 0n] })] };
const rules = [Gemm, Transpose2D];
const flags = (transA: number, transB: number, alpha = 0.7, beta = 1.3): Record<string, AttributeInput> => ({ transA: BigInt(transA), transB: BigInt(transB), alpha, beta });

describe('Gemm gradient', () => {
  it('w.r.t. A (the batch is M), transB 0 and 1, with alpha, beta and a broadcast C', async () => {
    for (const transB of [0, 1]) {
      const b = randomTensor('float64', transB ? [5, 3] : [3, 5], 2);
      const c = randomTensor('float64', [5], 3);
      const a1 = randomTensor('float64', [1, 3], 1);
      expect((await checkGradient({ op: 'Gemm', inputs: [a1, b, c], wrt: 0, attributes: flags(0, transB), rows: 3, rules })).relativeError).toBeLessThan(1e-7);
      const a4 = randomTensor('float64', [4, 3], 4);
      expect((await checkGradient({ op: 'Gemm', inputs: [a4, b, null], wrt: 0, attributes: flags(0, transB), rows: 2, rules })).relativeError).toBeLessThan(1e-7);
    }
  });

  // The other operands' first axes are not the output's batch axis: they are graph inputs of small models that
  // transpose them into place (`p` is the differentiated parameter, batched along its first axis).
  const gemm = (transA: number, transB: number, inputs: string[], attributes = flags(transA, transB)): NodeProto[] => [makeNode('Gemm', inputs, ['y'], attributes)];
  const t = (from: string, to: string) => makeNode('Transpose', [from], [to], { perm: [1n, 0n] });

  it('w.r.t. A with transA (A fed as Aᵀ)', async () => {
    for (const transB of [0, 1]) {
      const b = randomTensor('float64', transB ? [5, 3] : [3, 5], 5);
      const nodes = [t('p', 'a'), ...gemm(1, transB, ['a', 'b', 'c'])];
      expect((await checkModelGradient({ nodes, feeds: { p: randomTensor('float64', [4, 3], 7) }, initializers: { b, c: randomTensor('float64', [1, 5], 6) }, wrt: 'p', rows: 2, epsilon: 1e-2, rules })).relativeError).toBeLessThan(1e-7);
    }
  });

  it('w.r.t. B for every transA / transB (the output transposed: the batch is N)', async () => {
    for (const [transA, transB] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
      const a = randomTensor('float64', transA ? [3, 4] : [4, 3], 8);
      const nodes = transB ? [...gemm(transA, 1, ['a', 'p', 'c'])] : [t('p', 'b'), ...gemm(transA, 0, ['a', 'b', 'c'])];
      nodes[nodes.length - 1]!.output[0] = 'z';
      nodes.push(t('z', 'y'));
      expect((await checkModelGradient({ nodes, feeds: { p: randomTensor('float64', [5, 3], 10) }, initializers: { a, c: randomTensor('float64', [4, 1], 9) }, wrt: 'p', rows: 2, epsilon: 1e-2, rules })).relativeError).toBeLessThan(1e-7);
    }
  });

  it('w.r.t. C: full, broadcast along N, broadcast along M, and beta', async () => {
    const a = randomTensor('float64', [4, 3], 11);
    const b = randomTensor('float64', [3, 5], 12);
    // C [M, N] and C [M, 1]: batched with A along M.
    for (const cShape of [[4, 5], [4, 1]]) {
      expect((await checkModelGradient({ nodes: gemm(0, 0, ['a', 'b', 'c']), feeds: { a, c: randomTensor('float64', cShape, 13) }, initializers: { b }, wrt: 'c', rows: 2, epsilon: 1e-2, rules })).relativeError).toBeLessThan(1e-7);
    }
    // C [N], broadcast along M: batched with B along N, the output transposed.
    const nodes = [t('bt', 'b'), ...gemm(0, 0, ['a', 'b', 'c'], flags(0, 0, 0.7, 0.4)), t('z', 'y')];
    nodes[1]!.output[0] = 'z';
    expect((await checkModelGradient({ nodes, feeds: { bt: randomTensor('float64', [5, 3], 14), c: randomTensor('float64', [5], 15) }, initializers: { a }, wrt: 'c', rows: 3, epsilon: 1e-2, rules })).relativeError).toBeLessThan(1e-7);
  });
});

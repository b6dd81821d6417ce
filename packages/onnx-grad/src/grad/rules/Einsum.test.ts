import { describe, expect, it } from 'vitest';
import { makeNode } from '../../onnx/build.js';
import { tensorToProto } from '../../onnx/tensor-proto.js';
import { checkGradient, checkModelGradient, randomTensor } from '../check-gradient.js';
import { Einsum } from './Einsum.js';
import { MatMul } from './MatMul.js';
import { Mul } from './Mul.js';

const einsum = (equation: string, inputs: string[]) => makeNode('Einsum', inputs, ['y'], { equation });
const constant = (name: string, shape: number[], seed: number) => tensorToProto(name, randomTensor('float64', shape, seed));

describe('Einsum gradient', () => {
  // Both operands are computed from x (the second through MatMul or Mul), so the batch index b is shared as in
  // attention, both rules run, and swapping dA and dB would show. Index sizes differ so that any mix-up of axes fails.
  for (const [b, rows] of [[1, 3], [2, 2]] as const) {
    it(`matches finite differences for 'bij,bjk->bik', both operands (B = ${b}, K = ${rows})`, async () => {
      // A = x [b, i=2, j=3]; B = (V · x) · W [b, j=3, k=4].
      const nodes = [makeNode('MatMul', ['v', 'x'], ['vx']), makeNode('MatMul', ['vx', 'w'], ['b']), einsum('bij,bjk->bik', ['x', 'b'])];
      const constants = [constant('v', [3, 2], 1), constant('w', [3, 4], 2)];
      expect((await checkModelGradient({ nodes, feeds: { x: randomTensor('float64', [b, 2, 3], 3) }, initializers: constants, rows, rules: [Einsum, MatMul] })).relativeError).toBeLessThan(1e-6);
    });

    it(`matches finite differences for 'bhid,bhjd->bhij', both operands (B = ${b}, K = ${rows})`, async () => {
      // Q = x [b, h=2, i=3, d=4]; K = V · x [b, h=2, j=5, d=4].
      const nodes = [makeNode('MatMul', ['v', 'x'], ['k']), einsum('bhid,bhjd->bhij', ['x', 'k'])];
      const x = randomTensor('float64', [b, 2, 3, 4], 4);
      expect((await checkModelGradient({ nodes, feeds: { x }, initializers: [constant('v', [5, 3], 5)], rows, rules: [Einsum, MatMul] })).relativeError).toBeLessThan(1e-6);
    });

    it(`matches finite differences for 'bi,bi->b', both operands (B = ${b}, K = ${rows})`, async () => {
      const nodes = [makeNode('Mul', ['x', 'c'], ['xc']), einsum('bi,bi->b', ['x', 'xc'])];
      expect((await checkModelGradient({ nodes, feeds: { x: randomTensor('float64', [b, 4], 7) }, initializers: [constant('c', [4], 6)], rows, rules: [Einsum, Mul] })).relativeError).toBeLessThan(1e-6);
    });

    it(`matches finite differences for 'ij,j->i' (B = ${b}, K = ${rows})`, async () => {
      const inputs = [randomTensor('float64', [b, 4], 8), randomTensor('float64', [4], 9)];
      expect((await checkGradient({ op: 'Einsum', inputs, wrt: 0, rows, attributes: { equation: 'ij,j->i' }, rules: [Einsum] })).relativeError).toBeLessThan(1e-7);
    });

    it(`broadcasts over indices summed in one operand only, 'bij,k->bk' (B = ${b}, K = ${rows})`, async () => {
      const inputs = [randomTensor('float64', [b, 2, 3], 10), randomTensor('float64', [4], 11)];
      expect((await checkGradient({ op: 'Einsum', inputs, wrt: 0, rows, attributes: { equation: 'bij,k->bk' }, rules: [Einsum] })).relativeError).toBeLessThan(1e-7);
    });
  }

  it("matches finite differences in implicit mode, 'bj, jk' (output 'bk'), and for a transposition 'bij->bji'", async () => {
    const implicit = [randomTensor('float64', [2, 3], 12), randomTensor('float64', [3, 4], 13)];
    expect((await checkGradient({ op: 'Einsum', inputs: implicit, wrt: 0, rows: 2, attributes: { equation: 'bj, jk' }, rules: [Einsum] })).relativeError).toBeLessThan(1e-7);
    const x = randomTensor('float64', [2, 3, 4], 14);
    expect((await checkGradient({ op: 'Einsum', inputs: [x], wrt: 0, rows: 3, attributes: { equation: 'bij->bji' }, rules: [Einsum] })).relativeError).toBeLessThan(1e-7);
  });

  it('refuses repeated indices and ellipsis, naming the equation', async () => {
    const diagonal = randomTensor('float64', [1, 3, 3], 15);
    await expect(checkGradient({ op: 'Einsum', inputs: [diagonal], wrt: 0, attributes: { equation: 'bii->bi' }, rules: [Einsum] })).rejects.toThrow(/'bii->bi'.*repeats an index/);
    const inputs = [randomTensor('float64', [1, 2, 3], 16), randomTensor('float64', [3, 4], 17)];
    await expect(checkGradient({ op: 'Einsum', inputs, wrt: 0, attributes: { equation: '...ij,jk->...ik' }, rules: [Einsum] })).rejects.toThrow(/'\.\.\.ij,jk->\.\.\.ik'.*ellipsis/);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FusionInput, checkFusion, tensor } from '@envision/core';
import { __IDENT__, type __TYPE__Options } from './__ID__.js';

test('__ID__ passes the fusion kit: cotangents against finite differences of the scores, row counts, groups', () => {
  for (const against of ['max', 'mean'] as const) {
    const results = checkFusion(__IDENT__, { options: { against } });
    for (const r of results) console.log(`  ${against} ${r.name}: ${r.detail}`);
  }
});

test('__ID__ scores hand-computed margins', () => {
  // e along x; texts along x, y and the diagonal: cosines 1, 0 and 1/√2.
  const input = (against: __TYPE__Options['against']): FusionInput<__TYPE__Options> => ({
    imageEmbedding: Float32Array.of(2, 0),
    textEmbeddings: tensor('float32', [3, 2], Float32Array.of(1, 0, 0, 3, 1, 1)),
    logitScale: Math.log(10),
    options: { against },
  });
  const close = (actual: Float32Array, expected: number[]): void =>
    expected.forEach((v, i) => assert.ok(Math.abs(actual[i]! - v) < 1e-5, `score ${i}: ${actual[i]} ≠ ${v}`));
  const d = Math.SQRT1_2;
  close(__IDENT__.scores(input('max')), [10 * (1 - d), 10 * (0 - 1), 10 * (d - 1)]);
  close(__IDENT__.scores(input('mean')), [10 * (1 - d / 2), 10 * (0 - (1 + d) / 2), 10 * (d - 1 / 2)]);
});

import { it } from 'vitest';
import { readFileSync } from 'node:fs';
import { decodeModel } from '@envision/onnx-grad';
import { parseNpy } from '@envision/core';
it('peek', () => {
  const m = decodeModel(readFileSync('fixtures/occlusion/encoder.onnx'), 'x');
  console.log(JSON.stringify(m, (k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `bytes(${v.length})` : v), 1).slice(0, 5000));
  const x = parseNpy(readFileSync('fixtures/occlusion/x.npy'), 'x');
  console.log(x.dtype, x.shape, readFileSync('fixtures/occlusion/x.npy').subarray(0, 128).toString('latin1'));
});

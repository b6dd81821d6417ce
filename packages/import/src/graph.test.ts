import { OnnxModel, tensor } from '@envision/core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, linear, transpose2d } from './graph.js';
import { encodeModel, makeTensorValueInfo, DataType } from '@envision/onnx-grad';

describe('GraphBuilder and linear', () => {
  it('transposes torch weights and builds a runnable x·Wᵀ + b', async () => {
    const w = tensor('float32', [2, 3], Float32Array.of(1, 2, 3, 4, 5, 6));
    expect(transpose2d(w).data).toEqual(Float32Array.of(1, 4, 2, 5, 3, 6));
    const g = new GraphBuilder();
    const y = linear(g, 'x', w, tensor('float32', [2], Float32Array.of(10, 20)), 'fc');
    const model = g.model('t', [makeTensorValueInfo('x', DataType.FLOAT, ['b', 3])], makeTensorValueInfo('y', DataType.FLOAT, ['b', 2]), y);
    const dir = mkdtempSync(join(tmpdir(), 'envision-graph-'));
    try {
      writeFileSync(join(dir, 'm.onnx'), encodeModel(model));
      const m = await OnnxModel.load(join(dir, 'm.onnx'));
      const out = await m.run({ x: tensor('float32', [1, 3], Float32Array.of(1, 1, 1)) });
      expect(out.y!.data).toEqual(Float32Array.of(16, 35));
      await m.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

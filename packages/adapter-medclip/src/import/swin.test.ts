import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvisionError, OnnxModel, type Tensor, maxRelativeError, parseNpy, tensor } from '@envision/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StateDict, StateDictTensor } from '@envision/import';
import { buildSwinVision } from './swin.js';
import { gatherBias, isIdentity, mergeIndex, partitionIndex, planStages, reverseIndex, shiftMask } from './swin-layout.js';
import { COTANGENT_INPUT, GRADIENT_OUTPUT, RuleRegistry, buildGradientModel, defaultRules, encodeModel, randomTensor } from '@envision/onnx-grad';

// fixtures/checkpoints/swin: a reduced random-weight MedCLIP Swin (patch 4, embed 6, depths 2-2-2-2, heads 2-3-4-6,
// window 7, projection 32) saved under MedCLIP's key names, with torch's float64 outputs at 224 and 202, written by
// scripts/dev/make_swin_checkpoint.py.
const DIR = fileURLToPath(new URL('../../../../fixtures/checkpoints/swin/', import.meta.url));
const PREFIX = 'vision_model.model.';
const PROJECTION = 'vision_model.projection_head.weight';

function npy(path: string): Tensor {
  return parseNpy(readFileSync(path), path);
}

/** The fixture's state dict as the checkpoint reader returns it: float32 weights, int64 `relative_position_index`. */
function loadStateDict(): StateDict {
  const { keys } = JSON.parse(readFileSync(join(DIR, 'keys.json'), 'utf8')) as { keys: string[] };
  const sd = new Map<string, StateDictTensor>();
  for (const key of keys) {
    const t = npy(join(DIR, 'weights', `${key}.npy`));
    expect(['float32', 'int64']).toContain(t.dtype);
    sd.set(key, t as StateDictTensor);
  }
  return sd;
}

/** Crops `[B, C, H, W]` to `[B, C, s, s]` (top-left). */
function crop(x: Tensor<'float32'>, s: number): Tensor<'float32'> {
  const [b, c, h, w] = x.shape as [number, number, number, number];
  const out = new Float32Array(b * c * s * s);
  for (let i = 0; i < b * c; i++) for (let r = 0; r < s; r++) out.set(x.data.subarray((i * h + r) * w, (i * h + r) * w + s), (i * s + r) * s);
  return tensor('float32', [b, c, s, s], out);
}

function thrown(f: () => unknown): EnvisionError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EnvisionError);
    expect((e as EnvisionError).code).toBe('E_BUNDLE');
    return e as EnvisionError;
  }
  throw new Error('expected an EnvisionError');
}

describe('buildSwinVision', () => {
  let sd: StateDict;
  let inputs: Tensor<'float32'>;
  beforeAll(() => {
    sd = loadStateDict();
    inputs = npy(join(DIR, 'inputs.npy')) as Tensor<'float32'>;
  });

  it.each([
    [224, 'expected.npy'],
    [202, 'expected_202.npy'],
  ])('matches torch (HF SwinModel semantics) at %i² pixels', async (size, file) => {
    const model = buildSwinVision(sd, { prefix: PREFIX, projection: PROJECTION, imageSize: size });
    expect(model.opset_import).toEqual([{ version: 17 }]);
    const session = await OnnxModel.fromBytes(encodeModel(model), 'swin');
    try {
      expect(session.input('pixel_values').shape).toEqual(['batch', 3, size, size]);
      expect(session.output('image_embeds').shape).toEqual(['batch', 32]);
      const x = size === 224 ? inputs : crop(inputs, size);
      const out = (await session.run({ pixel_values: x })).image_embeds!;
      const expected = npy(join(DIR, file));
      expect(out.shape).toEqual([2, 32]);
      expect(maxRelativeError(out.data as Float32Array, expected.data as Float32Array)).toBeLessThan(1e-4);
      // batch 1 gives the first row
      const one = tensor('float32', [1, 3, size, size], x.data.slice(0, 3 * size * size));
      const row = (await session.run({ pixel_values: one })).image_embeds!;
      expect(maxRelativeError(row.data as Float32Array, (expected.data as Float32Array).subarray(0, 32))).toBeLessThan(1e-4);
    } finally {
      await session.dispose();
    }
  });

  it('uses only ops the gradient engine differentiates', () => {
    const model = buildSwinVision(sd, { prefix: PREFIX, projection: PROJECTION, imageSize: 202 });
    const ops = new Set(model.graph!.node.map((n) => n.op_type));
    expect([...ops].sort()).toEqual(
      ['Add', 'Conv', 'Erf', 'Gather', 'LayerNormalization', 'MatMul', 'Mul', 'Pad', 'ReduceMean', 'Reshape', 'Softmax', 'Transpose'].sort(),
    );
  });

  it('is differentiable by the gradient engine (VJP vs central differences along a direction)', async () => {
    const size = 202; // every padding path
    const model = buildSwinVision(sd, { prefix: PREFIX, projection: PROJECTION, imageSize: size });
    const x = crop(inputs, size);
    const one = tensor('float32', [1, 3, size, size], x.data.slice(0, 3 * size * size));
    const built = await buildGradientModel(model, { pixel_values: one }, { wrt: 'pixel_values', of: 'image_embeds', rows: 1 }, new RuleRegistry(defaultRules));
    const vjp = await OnnxModel.fromBytes(encodeModel(built.model), 'swin-vjp');
    const forward = await OnnxModel.fromBytes(encodeModel(model), 'swin');
    try {
      const cot = randomTensor('float32', [1, 32], 3);
      const grad = (await vjp.run({ pixel_values: one, [COTANGENT_INPUT]: cot }, [GRADIENT_OUTPUT]))[GRADIENT_OUTPUT]!;
      expect(grad.shape).toEqual([1, 1, 3, size, size]);
      const dir = randomTensor('float32', [1, 3, size, size], 5);
      const eps = 1e-2;
      const at = async (sign: number) => {
        const moved = tensor('float32', one.shape, one.data.map((v, i) => v + sign * eps * dir.data[i]!));
        const y = (await forward.run({ pixel_values: moved })).image_embeds!.data as Float32Array;
        return y.reduce((acc, v, i) => acc + v * cot.data[i]!, 0);
      };
      const numeric = ((await at(1)) - (await at(-1))) / (2 * eps);
      const analytic = (grad.data as Float32Array).reduce((acc, v, i) => acc + v * dir.data[i]!, 0);
      expect(Math.abs(analytic - numeric)).toBeLessThan(2e-3 * Math.abs(numeric) + 1e-4);
    } finally {
      await Promise.all([vjp.dispose(), forward.dispose()]);
    }
  }, 60_000);

  it('names a missing key', () => {
    const key = `${PREFIX}encoder.layers.1.blocks.1.attention.self.value.bias`;
    const copy = new Map(sd);
    copy.delete(key);
    expect(thrown(() => buildSwinVision(copy, { prefix: PREFIX, projection: PROJECTION, imageSize: 224 })).message).toContain(`'${key}'`);
    const proj = new Map(sd);
    proj.delete(PROJECTION);
    expect(thrown(() => buildSwinVision(proj, { prefix: PREFIX, projection: PROJECTION, imageSize: 224 })).message).toContain(`missing key '${PROJECTION}'`);
    const down = new Map(sd);
    down.delete(`${PREFIX}encoder.layers.2.downsample.reduction.weight`);
    expect(thrown(() => buildSwinVision(down, { prefix: PREFIX, projection: PROJECTION, imageSize: 224 })).message).toContain(
      `missing key '${PREFIX}encoder.layers.2.downsample.reduction.weight'`,
    );
  });

  it('names a key of the wrong shape', () => {
    const key = `${PREFIX}encoder.layers.2.blocks.0.intermediate.dense.bias`;
    const copy = new Map(sd);
    copy.set(key, tensor('float32', [5], new Float32Array(5)));
    const e = thrown(() => buildSwinVision(copy, { prefix: PREFIX, projection: PROJECTION, imageSize: 224 }));
    expect(e.message).toContain(`'${key}' has shape [5], expected [96]`);
    const table = `${PREFIX}encoder.layers.0.blocks.1.attention.self.relative_position_bias_table`;
    const t2 = new Map(sd);
    t2.set(table, tensor('float32', [169, 3], new Float32Array(169 * 3)));
    expect(thrown(() => buildSwinVision(t2, { prefix: PREFIX, projection: PROJECTION, imageSize: 224 })).message).toContain(`'${table}' has shape [169, 3], expected [169, 2]`);
  });

  it('names an unexpected key and a bad relative position index', () => {
    const key = `${PREFIX}encoder.layers.0.blocks.0.attn_mask`;
    const copy = new Map(sd);
    copy.set(key, tensor('float32', [1], new Float32Array(1)));
    expect(thrown(() => buildSwinVision(copy, { prefix: PREFIX, projection: PROJECTION, imageSize: 224 })).message).toContain(`unexpected key '${key}'`);
    const index = `${PREFIX}encoder.layers.3.blocks.1.attention.self.relative_position_index`;
    const bad = new Map(sd);
    bad.set(index, tensor('int64', [49, 49], new BigInt64Array(49 * 49).fill(169n)));
    expect(thrown(() => buildSwinVision(bad, { prefix: PREFIX, projection: PROJECTION, imageSize: 224 })).message).toContain(
      `'${index}' holds 169, not an index into the 169-row bias table`,
    );
    const fractional = new Map(sd);
    fractional.set(index, tensor('float32', [49, 49], new Float32Array(49 * 49).fill(0.5)));
    expect(thrown(() => buildSwinVision(fractional, { prefix: PREFIX, projection: PROJECTION, imageSize: 224 })).message).toContain(`'${index}' holds 0.5`);
    const intWeight = new Map(sd);
    const bias = `${PREFIX}layernorm.bias`;
    intWeight.set(bias, tensor('int64', [48], new BigInt64Array(48)));
    expect(thrown(() => buildSwinVision(intWeight, { prefix: PREFIX, projection: PROJECTION, imageSize: 224 })).message).toContain(`'${bias}' must be floating point, got int64`);
  });

  it('refuses an image too small for the window, as HF cannot run it', () => {
    expect(thrown(() => buildSwinVision(sd, { prefix: PREFIX, projection: PROJECTION, imageSize: 192 })).message).toMatch(/6×6 token map in stage 4/);
  });
});

describe('Swin layout', () => {
  it('plans the stages as HF does', () => {
    expect(planStages(224, 4, 7, 4)).toEqual([
      { resolution: 56, window: 7, shift: 3, padded: 56 },
      { resolution: 28, window: 7, shift: 3, padded: 28 },
      { resolution: 14, window: 7, shift: 3, padded: 14 },
      { resolution: 7, window: 7, shift: 0, padded: 7 },
    ]);
    expect(planStages(202, 4, 7, 4).map((p) => [p.resolution, p.padded])).toEqual([
      [51, 56],
      [26, 28],
      [13, 14],
      [7, 7],
    ]);
  });

  it('partition and reverse are inverse permutations (torch.roll + window_partition)', () => {
    // 4×4 map, window 2, shift 1: slot 0 of window 0 is shifted (0,0) = original (1,1) = token 5.
    const part = partitionIndex(4, 4, 2, 1);
    expect(part.slice(0, 4)).toEqual([5, 6, 9, 10]);
    const back = reverseIndex(4, 4, 2, 1);
    back.forEach((slot, token) => expect(part[slot]).toBe(token));
    expect(isIdentity(partitionIndex(7, 7, 7, 0), 49)).toBe(true);
    // padded 3×3 → 4×4, window 2, no shift: the 7 zero tokens are 9…15, each used once
    expect([...partitionIndex(3, 4, 2, 0)].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('builds the shift mask and the merge order as HF does', () => {
    // 4×4, window 2, shift 1: the last window (bottom right) mixes all four regions
    const m = shiftMask(4, 2, 1);
    expect(Array.from(m.subarray(0, 16))).toEqual(new Array(16).fill(0));
    expect(Array.from(m.subarray(3 * 16, 3 * 16 + 4))).toEqual([0, -100, -100, -100]);
    expect(mergeIndex(2)).toEqual([0, 2, 1, 3]);
    expect(mergeIndex(3).slice(-4)).toEqual([8, 13, 14, 15]); // (2,2), then three zero tokens
    expect(Array.from(gatherBias(Float32Array.of(1, 2, 3, 4), Int32Array.of(1, 0, 0, 1), 2, 2))).toEqual([3, 1, 1, 3, 4, 2, 2, 4]);
  });
});

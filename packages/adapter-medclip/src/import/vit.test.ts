import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OnnxModel, type Tensor, encodeModel, readNpy, tensor } from '@envision/core';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from './checkpoint/index.js';
import { buildMedClip, detectVariant } from './index.js';

// The vit wiring of buildMedClip: the Swin helper's reduced MedCLIP Swin weights (fixtures/checkpoints/swin, from
// scripts/dev/make_swin_checkpoint.py, float64 torch outputs) joined with the reduced BERT of
// fixtures/checkpoints/medclip-resnet-tiny.zip, whose text projection is replaced by a 32-row one to match.
const FIXTURES = fileURLToPath(new URL('../../../../fixtures/checkpoints/', import.meta.url));

describe('buildMedClip, vit variant', () => {
  it('detects the Swin keys, passes int64 buffers as float32 and matches torch', async () => {
    const swin = JSON.parse(readFileSync(join(FIXTURES, 'swin/keys.json'), 'utf8')) as { keys: string[] };
    const sd = new Map<string, Tensor<'float32'> | Tensor<'int64'>>();
    for (const key of swin.keys) sd.set(key, (await readNpy(join(FIXTURES, 'swin/weights', `${key}.npy`))) as Tensor<'float32'> | Tensor<'int64'>);
    for (const [k, t] of await readCheckpoint(join(FIXTURES, 'medclip-resnet-tiny.zip'))) if (!k.startsWith('vision_model.')) sd.set(k, t);
    sd.set('text_model.projection_head.weight', tensor('float32', [32, 128], new Float32Array(32 * 128).fill(0.01)));
    expect(detectVariant(sd)).toBe('vit');
    const built = buildMedClip(sd, { source: 'joined' });
    expect(built.manifest.variant).toBe('vit');
    expect(built.manifest.embeddingDim).toBe(32);
    const dir = mkdtempSync(join(tmpdir(), 'envision-vit-'));
    try {
      writeFileSync(join(dir, 'vision.onnx'), encodeModel(built.vision));
      const model = await OnnxModel.load(join(dir, 'vision.onnx'));
      const inputs = (await readNpy(join(FIXTURES, 'swin/inputs.npy'))) as Tensor<'float32'>;
      const want = await readNpy(join(FIXTURES, 'swin/expected.npy'));
      const got = (await model.run({ [built.manifest.vision.input]: inputs }))[built.manifest.vision.output]!;
      await model.dispose();
      let diff = 0;
      let scale = 0;
      want.data.forEach((v, i) => {
        diff = Math.max(diff, Math.abs(Number(got.data[i]) - Number(v)));
        scale = Math.max(scale, Math.abs(Number(v)));
      });
      expect(diff / scale).toBeLessThan(1e-4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OnnxModel, maxRelativeError, tensor } from '@envision/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MedClipAdapter } from '../adapter.js';
import { TextEmbeddingCache } from '../text-cache.js';
import { type StateDict, type StateDictTensor, readCheckpoint } from '@envision/import';
import { expectImageParity, expectTextParity, pattern } from './parity.test-support.js';
import { type ImportMedClipResult, buildMedClip, detectVariant, importMedClip } from './index.js';
import { encodeModel } from '@envision/onnx-grad';

// fixtures/checkpoints/medclip-vit-tiny.zip: a reduced MedCLIP-ViT checkpoint (HF SwinModel embed 24, depths 2-2-2-2,
// heads 1-2-3-6, window 7; BERT hidden 128, 3 layers, 4 heads; MedCLIP's key names incl. relative_position_index,
// position_ids and the unused pooler; float16/bfloat16/float32/int64 storages) saved by torch.save inside a zip, and
// reference-vit.json, float64 torch embeddings of the same weights; both from scripts/dev/make_medclip_checkpoints.py.
const FIXTURES = fileURLToPath(new URL('../../../../fixtures/', import.meta.url));
const CHECKPOINTS = join(FIXTURES, 'checkpoints');
const CHECKPOINT = join(CHECKPOINTS, 'medclip-vit-tiny.zip');
const VOCAB = join(CHECKPOINTS, 'vocab.txt');
interface Reference {
  logitScale: number;
  embeddingDim: number;
  textHeads: number;
  keys: number;
  storage: Record<string, number>;
  images: { input: string; embedding: number[] }[];
  texts: { texts: string[]; ids: number[][]; mask: number[][]; embeddings: number[][] }[];
}
const ref = JSON.parse(readFileSync(join(CHECKPOINTS, 'reference-vit.json'), 'utf8')) as Reference;

/** The state dict with some entries replaced (`undefined` deletes). */
function edited(sd: StateDict, changes: Record<string, StateDictTensor | undefined>): StateDict {
  const m = new Map(sd);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) m.delete(k);
    else m.set(k, v);
  }
  return m;
}

describe('importMedClip: a reduced MedCLIP-ViT checkpoint (torch.save zip, HF Swin + BERT keys)', () => {
  let dir: string;
  let result: ImportMedClipResult;
  let adapter: MedClipAdapter;
  let sd: StateDict;
  const errors: Record<string, number> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'envision-import-vit-'));
    result = await importMedClip({ checkpoint: CHECKPOINT, vocab: VOCAB, out: join(dir, 'bundle'), textHeads: ref.textHeads });
    adapter = await MedClipAdapter.load(result.out, { textCache: new TextEmbeddingCache() });
    sd = await readCheckpoint(CHECKPOINT);
  });
  afterAll(async () => {
    await adapter?.dispose();
    rmSync(dir, { recursive: true, force: true });
    console.info('vit import parity (max |Δ| / max |ref|):', errors);
  });

  it('reads every tensor, writes the bundle and a manifest read from the checkpoint', () => {
    expect(ref.storage).toEqual({ bfloat16: 2, float16: 74, float32: 133, int64: 9 }); // what the fixture exercises
    expect(result.tensors).toBe(ref.keys);
    expect(sd.size).toBe(ref.keys);
    expect(detectVariant(sd)).toBe('vit');
    expect(sd.get('vision_model.model.encoder.layers.0.blocks.0.attention.self.relative_position_index')?.dtype).toBe('int64');
    expect(sd.get('text_model.model.embeddings.position_ids')?.shape).toEqual([1, 80]);
    expect(sd.get('logit_scale')?.shape).toEqual([]);
    expect(readdirSync(result.out).sort()).toEqual(['envision.json', 'text.onnx', 'vision.onnx', 'vocab.txt']);
    expect(readdirSync(dir)).toEqual(['bundle']);
    const m = result.manifest;
    expect(m.variant).toBe('vit');
    expect(m.embeddingDim).toBe(ref.embeddingDim);
    expect(m.logitScale).toBe(ref.logitScale);
    expect(JSON.parse(readFileSync(join(result.out, 'envision.json'), 'utf8'))).toEqual(m);
  });

  it('image embeddings match torch (float64) to 1e-4 relative', async () => {
    Object.assign(errors, await expectImageParity(adapter, ref, FIXTURES, 1e-4));
  });

  it('text embeddings match torch (float64) to 1e-4 relative, tokenised by the bundle', async () => {
    Object.assign(errors, await expectTextParity(adapter, ref, 1e-4));
  });

  it('needs the right head count: the default hidden / 64 = 2 heads gives other text embeddings', async () => {
    const built = buildMedClip(sd, { source: 'vit' });
    const text = await OnnxModel.fromBytes(encodeModel(built.text), 'text');
    try {
      const batch = ref.texts[1]!;
      const [B, L] = [batch.ids.length, batch.ids[0]!.length];
      const got = await text.run({
        input_ids: tensor('int64', [B, L], BigInt64Array.from(batch.ids.flat(), BigInt)),
        attention_mask: tensor('int64', [B, L], BigInt64Array.from(batch.mask.flat(), BigInt)),
      });
      const e = maxRelativeError(got.text_embeds!, batch.embeddings.flat());
      errors['text with 2 heads (must differ)'] = e;
      expect(e).toBeGreaterThan(1e-3);
    } finally {
      await text.dispose();
    }
  });

  it('names a missing, misshapen or unexpected key', () => {
    const index = 'vision_model.model.encoder.layers.3.blocks.1.attention.self.relative_position_index';
    const build = (s: StateDict) => () => buildMedClip(s, { source: 'ck', textHeads: 4 });
    expect(build(edited(sd, { [index]: undefined }))).toThrow(`missing key '${index}'`);
    expect(build(edited(sd, { [index]: tensor('int64', [7, 7], new BigInt64Array(49)) }))).toThrow(`'${index}' has shape [7, 7], expected [49, 49]`);
    const mask = 'vision_model.model.embeddings.mask_token';
    expect(build(edited(sd, { [mask]: tensor('float32', [1, 1, 24], new Float32Array(24)) }))).toThrow(`unexpected key '${mask}'`);
    const stray = 'vision_model.extra.weight';
    expect(build(edited(sd, { [stray]: tensor('float32', [1], new Float32Array(1)) }))).toThrow(`ck: unexpected key '${stray}'`);
    expect(build(edited(sd, { 'vision_model.projection_head.weight': tensor('float32', [40, 192], new Float32Array(40 * 192)) }))).toThrow(
      'the vision projection gives 40 dimensions, the text projection 48',
    );
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LazySafetensors, Weights } from '@envision/import';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClipTowers } from './import-open-clip.js';

const fixture = fileURLToPath(new URL('../../../fixtures/tiny-biomedclip/', import.meta.url));
const F = 'open_clip_config.json';
const base = (): Record<string, unknown> => JSON.parse(readFileSync(`${fixture}${F}`, 'utf8'));
let sd: LazySafetensors;
beforeAll(async () => {
  sd = await LazySafetensors.open(`${fixture}open_clip_model.safetensors`);
});
afterAll(() => sd.close());

describe('openClipTowers', () => {
  it('builds the timm ViT and the BERT tower reading every weight but the logit scale', () => {
    const w = new Weights(sd, 'weights');
    const towers = openClipTowers(F, base(), w);
    const vision = towers.vision();
    const text = towers.text();
    expect(vision.graph!.input.map((i) => i.name)).toEqual(['pixel_values']);
    expect(text.graph!.input.map((i) => i.name)).toEqual(['input_ids', 'attention_mask']);
    expect(vision.graph!.output[0]!.type!.tensor_type!.shape!.dim[1]!.dim_value).toBe(16);
    expect(text.graph!.output[0]!.type!.tensor_type!.shape!.dim[1]!.dim_value).toBe(16);
    // Every key but the logit scale (read by importClip) is used, the unused BERT pooler included when present.
    expect(() => w.checkAllUsed([''])).toThrow(/unexpected key 'logit_scale'/);
    w.float('logit_scale');
    expect(() => w.checkAllUsed([''])).not.toThrow();
  });

  const edit = (change: (c: { model_cfg: Record<string, Record<string, unknown>> }) => void): Record<string, unknown> => {
    const c = base() as { model_cfg: Record<string, Record<string, unknown>> };
    change(c);
    return c;
  };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['no model_cfg', {}, /^open_clip_config\.json: model_cfg must be an object$/],
    ['an mlp vision head', edit((c) => (c.model_cfg['vision_cfg']!['timm_proj'] = 'mlp')), /model_cfg\.vision_cfg\.timm_proj "mlp" is not one the importer builds \(linear\)/],
    ['a pooler missing', edit((c) => delete c.model_cfg['text_cfg']!['hf_pooler_type']), /model_cfg\.text_cfg\.hf_pooler_type undefined is not one/],
    ['heads not an integer', edit((c) => ((c.model_cfg['text_cfg']!['hf_model_config'] as Record<string, unknown>)['num_attention_heads'] = 1.5)), /hf_model_config\.num_attention_heads must be a positive integer, got 1\.5/],
    ['a negative epsilon', edit((c) => ((c.model_cfg['text_cfg']!['hf_model_config'] as Record<string, unknown>)['layer_norm_eps'] = -1)), /hf_model_config\.layer_norm_eps must be a positive number, got -1/],
    ['kwargs not an object', edit((c) => (c.model_cfg['vision_cfg']!['timm_model_kwargs'] = [2])), /model_cfg\.vision_cfg\.timm_model_kwargs must be an object/],
  ];
  for (const [label, config, message] of cases) {
    it(`refuses ${label} in one line naming the field`, () => {
      expect(() => openClipTowers(F, config, new Weights(sd, 'weights'))).toThrow(message);
    });
  }
});

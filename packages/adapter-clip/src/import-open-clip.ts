import { EnvisionError } from '@envision/core';
import { type Weights, buildBertText, buildTimmVision } from '@envision/import';
import type { ModelProto } from '@envision/onnx-grad';

/** The two towers of an open_clip checkpoint, built on demand. */
export interface OpenClipTowers {
  readonly vision: () => ModelProto;
  readonly text: () => ModelProto;
}

type Json = Record<string, unknown>;

const object = (file: string, parent: Json, key: string, path: string): Json => {
  const v = parent[key];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new EnvisionError('E_BUNDLE', `${file}: ${path} must be an object`);
  return v as Json;
};

/** `value` when it is one of `allowed`, else one line naming the field and what the importer builds. */
function oneOf(file: string, value: unknown, path: string, allowed: readonly unknown[], what: string): void {
  if (!allowed.includes(value)) throw new EnvisionError('E_BUNDLE', `${file}: ${path} ${JSON.stringify(value)} is not one the importer builds (${what})`);
}

/** An optional positive integer (heads) or positive number (epsilon) from a nested config. */
function optional(file: string, parent: Json | undefined, key: string, path: string, integer: boolean): number | undefined {
  const v = parent?.[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v > 0) || (integer && !Number.isInteger(v))) throw new EnvisionError('E_BUNDLE', `${file}: ${path}.${key} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * The towers of an open_clip `CustomTextCLIP` shaped like BiomedCLIP, from its `open_clip_config.json`: a timm ViT
 * (`vision_cfg.timm_model_name` `vit_*`, `timm_pool` `""` or `token`, `timm_proj` `linear`) and a HF BERT text tower
 * (`text_cfg.hf_proj_type` `mlp` or `linear`, `hf_pooler_type` `cls_last_hidden_state_pooler`). Head counts come
 * from `vision_cfg.timm_model_kwargs.num_heads` and `text_cfg.hf_model_config.num_attention_heads` when given, else
 * hidden size / 64 (ViT-B's and BERT-base's); the BERT epsilon from `hf_model_config.layer_norm_eps` (default 1e-12).
 * @throws EnvisionError `E_BUNDLE` naming the field when the config describes a tower the importer does not build
 */
export function openClipTowers(file: string, config: Json, w: Weights): OpenClipTowers {
  const model = object(file, config, 'model_cfg', 'model_cfg');
  const vision = object(file, model, 'vision_cfg', 'model_cfg.vision_cfg');
  const text = object(file, model, 'text_cfg', 'model_cfg.text_cfg');
  const name = vision['timm_model_name'];
  if (typeof name !== 'string' || !name.startsWith('vit_')) {
    throw new EnvisionError('E_BUNDLE', `${file}: model_cfg.vision_cfg.timm_model_name ${JSON.stringify(name)} is not a timm ViT (vit_*); the importer builds BiomedCLIP-shaped open_clip models`);
  }
  oneOf(file, vision['timm_pool'] ?? '', 'model_cfg.vision_cfg.timm_pool', ['', 'token'], '"" or token: the class token');
  oneOf(file, vision['timm_proj'] ?? 'linear', 'model_cfg.vision_cfg.timm_proj', ['linear'], 'linear');
  oneOf(file, text['hf_proj_type'] ?? 'mlp', 'model_cfg.text_cfg.hf_proj_type', ['mlp', 'linear'], 'mlp, linear');
  oneOf(file, text['hf_pooler_type'], 'model_cfg.text_cfg.hf_pooler_type', ['cls_last_hidden_state_pooler'], 'cls_last_hidden_state_pooler');
  const kwargs = vision['timm_model_kwargs'] === undefined ? undefined : object(file, vision, 'timm_model_kwargs', 'model_cfg.vision_cfg.timm_model_kwargs');
  const hf = text['hf_model_config'] === undefined ? undefined : object(file, text, 'hf_model_config', 'model_cfg.text_cfg.hf_model_config');
  const visionHeads = optional(file, kwargs, 'num_heads', 'model_cfg.vision_cfg.timm_model_kwargs', true);
  const textHeads = optional(file, hf, 'num_attention_heads', 'model_cfg.text_cfg.hf_model_config', true);
  const textEps = optional(file, hf, 'layer_norm_eps', 'model_cfg.text_cfg.hf_model_config', false);
  return {
    vision: () => buildTimmVision(w, visionHeads === undefined ? {} : { heads: visionHeads }),
    text: () =>
      buildBertText(w, {
        prefix: 'text.transformer.',
        pooling: 'cls',
        projection: (text['hf_proj_type'] ?? 'mlp') === 'mlp' ? { mlp: ['text.proj.0.weight', 'text.proj.2.weight'] } : 'text.proj.weight',
        ...(textHeads === undefined ? {} : { heads: textHeads }),
        ...(textEps === undefined ? {} : { eps: textEps }),
      }),
  };
}

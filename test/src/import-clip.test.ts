// envision import clip: HF CLIP and SigLIP checkpoints (the tiny fixtures' model.safetensors, written from torch
// modules with HF's key names) built as ONNX without Python, checked against the torch references through the clip
// adapter; and broken checkpoints: one line naming the file and key, exit 2, nothing written.
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxRelativeError, readNpy, tensor } from '@envision/core';
import { encodeSafetensors, readSafetensorsStateDict } from '../../packages/import/src/safetensors.js';
import { envision, root, useTempDir } from './cli.js';

const temp = useTempDir('envision-import-clip-');

for (const name of ['tiny-clip', 'tiny-siglip']) {
  const fixture = join(root, 'fixtures', name);
  const ref = JSON.parse(readFileSync(join(fixture, 'reference/reference.json'), 'utf8')) as { prompts: string[] };

  describe(`import clip ${name}`, () => {
    it('builds both encoders from the weights: embeddings equal torch to 1e-5, the logit scale (and bias) kept', async () => {
      const out = join(temp(), name);
      const r = envision(['import', 'clip', fixture, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^envision import: wrote .* \((clip|siglip), \d+ tensors, embeddingDim \d+, logitScale/);
      expect(readdirSync(join(out, 'onnx')).sort()).toEqual(['text_model.onnx', 'vision_model.onnx']);
      const image = join(temp(), `${name}-image.npy`);
      expect(envision(['embed', '--model', out, '--image', join(root, 'fixtures/images/rgb-wide.png'), '--out', image]).code).toBe(0);
      expect(maxRelativeError(await readNpy(image), await readNpy(join(fixture, 'reference/image_embeds-rgb-wide.npy')))).toBeLessThan(1e-5);
      const text = join(temp(), `${name}-text.npy`);
      expect(envision(['embed', '--model', out, ...ref.prompts.flatMap((p) => ['--prompt', p]), '--out', text]).code).toBe(0);
      expect(maxRelativeError(await readNpy(text), await readNpy(join(fixture, 'reference/text_embeds.npy')))).toBeLessThan(1e-5);
      const logits = await readSafetensorsStateDict(join(out, 'model.safetensors'));
      const original = await readSafetensorsStateDict(join(fixture, 'model.safetensors'));
      expect([...logits.keys()].sort()).toEqual(name === 'tiny-siglip' ? ['logit_bias', 'logit_scale'] : ['logit_scale']);
      for (const [k, t] of logits) expect(Array.from(t.data)).toEqual(Array.from(original.get(k)!.data));
    });

    it('its vision gradients equal torch.autograd (saliency of the dot fusion, 1e-4)', async () => {
      const out = join(temp(), `${name}-run`);
      const yaml = join(temp(), `${name}.yaml`);
      writeFileSync(yaml, `model: { adapter: clip, dir: ${join(temp(), name)} }\nimages: [${join(root, 'fixtures/images/cxr-a.png')}]\nmethods: [{ id: saliency, options: { abs: false } }]\ntargets: [{ name: p, texts: ${JSON.stringify(ref.prompts)}, fusion: { id: dot } }]\nstrategy: direct\noutput: { dir: ${out} }\n`);
      const r = envision(['run', yaml]);
      expect(r.code, r.stderr).toBe(0);
      expect(maxRelativeError(await readNpy(join(out, 'cxr-a/saliency/p.npy')), await readNpy(join(fixture, 'reference/saliency-dot.npy')))).toBeLessThan(1e-4);
    });
  });
}

describe('import clip: a broken source is one line naming the file and key, exit 2, nothing written', () => {
  const broken = async (label: string, change: (d: string) => Promise<void> | void, message: RegExp, fixture = 'tiny-clip') => {
    const source = join(temp(), `src-${label}`);
    cpSync(join(root, 'fixtures', fixture), source, { recursive: true });
    await change(source);
    const out = join(temp(), `out-${label}`);
    const r = envision(['import', 'clip', source, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(temp()).filter((f) => f.startsWith(`.out-${label}`))).toEqual([]);
  };
  const rewrite = async (d: string, edit: (m: Map<string, ReturnType<typeof tensor<'float32'>>>) => void, file = 'model.safetensors') => {
    const sd = await readSafetensorsStateDict(join(d, file));
    const m = new Map([...sd].filter(([, t]) => t.dtype === 'float32')) as Map<string, ReturnType<typeof tensor<'float32'>>>;
    edit(m);
    writeFileSync(join(d, file), encodeSafetensors(m));
  };
  it('a missing key', () => broken('missing', (d) => rewrite(d, (m) => m.delete('text_model.final_layer_norm.weight')), /model\.safetensors: missing key 'text_model\.final_layer_norm\.weight'/));
  it('an unexpected key', () => broken('extra', (d) => rewrite(d, (m) => m.set('vision_model.extra.weight', tensor('float32', [1], Float32Array.of(1)))), /unexpected key 'vision_model\.extra\.weight'/));
  it('a misshapen key', () => broken('shape', (d) => rewrite(d, (m) => m.set('visual_projection.weight', tensor('float32', [4, 7], new Float32Array(28)))), /'visual_projection\.weight' has shape \[4, 7\], expected \[\?, 32\]/));
  it('an unknown model_type', () => broken('type', (d) => writeFileSync(join(d, 'config.json'), JSON.stringify({ model_type: 'blip' })), /config\.json: model_type "blip" is not one the importer builds \(clip, siglip\)/));
  it('no tokenizer', () => broken('tokenizer', (d) => rmSync(join(d, 'tokenizer.json')), /tokenizer\.json: no such file/));
  it('a corrupt safetensors file', () => broken('corrupt', (d) => writeFileSync(join(d, 'model.safetensors'), Buffer.from([5, 0, 0, 0, 0, 0, 0, 0, 123, 34])), /model\.safetensors: not a valid safetensors file: the header length 5 runs past the end/));
  const openClip = 'tiny-biomedclip';
  const editConfig = (d: string, edit: (c: { model_cfg: Record<string, Record<string, unknown>> }) => void) => {
    const c = JSON.parse(readFileSync(join(d, 'open_clip_config.json'), 'utf8'));
    edit(c);
    writeFileSync(join(d, 'open_clip_config.json'), JSON.stringify(c));
  };
  it('open_clip: a missing key of the MLP projection', () =>
    broken('oc-missing', (d) => rewrite(d, (m) => m.delete('text.proj.2.weight'), 'open_clip_model.safetensors'), /open_clip_model\.safetensors: missing key 'text\.proj\.2\.weight'/, openClip));
  it('open_clip: a fused qkv of the wrong size', () =>
    broken('oc-qkv', (d) => rewrite(d, (m) => m.set('visual.trunk.blocks.1.attn.qkv.weight', tensor('float32', [32, 32], new Float32Array(1024))), 'open_clip_model.safetensors'), /'visual\.trunk\.blocks\.1\.attn\.qkv\.weight' has shape \[32, 32\], expected \[96, 32\]/, openClip));
  it('open_clip: a vision tower that is not a timm ViT', () =>
    broken('oc-convnext', (d) => editConfig(d, (c) => (c.model_cfg['vision_cfg']!['timm_model_name'] = 'convnext_base')), /open_clip_config\.json: model_cfg\.vision_cfg\.timm_model_name "convnext_base" is not a timm ViT/, openClip));
  it('open_clip: a pooling the importer does not build', () =>
    broken('oc-pool', (d) => editConfig(d, (c) => (c.model_cfg['vision_cfg']!['timm_pool'] = 'avg')), /model_cfg\.vision_cfg\.timm_pool "avg" is not one the importer builds/, openClip));
  it('open_clip: a text pooler the importer does not build', () =>
    broken('oc-pooler', (d) => editConfig(d, (c) => (c.model_cfg['text_cfg']!['hf_pooler_type'] = 'mean_pooler')), /model_cfg\.text_cfg\.hf_pooler_type "mean_pooler" is not one the importer builds \(cls_last_hidden_state_pooler\)/, openClip));
  it('open_clip: heads that do not divide the width', () =>
    broken('oc-heads', (d) => editConfig(d, (c) => ((c.model_cfg['vision_cfg']!['timm_model_kwargs'] as Record<string, unknown>)['num_heads'] = 3)), /heads must be a positive divisor of the hidden size 32, got 3/, openClip));
  it('open_clip: no weights', () => broken('oc-weights', (d) => rmSync(join(d, 'open_clip_model.safetensors')), /no weights \(open_clip_model\.safetensors or open_clip_pytorch_model\.bin\)/, openClip));
  it('a variant that contradicts config.json', () => {
    const r = envision(['import', 'clip', join(root, 'fixtures/tiny-clip'), '--out', join(temp(), 'v'), '--variant', 'siglip']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/variant 'siglip' was asked for, but the folder is model_type 'clip'/);
  });
});

describe('import clip tiny-biomedclip (open_clip: timm ViT, BERT with CLS pooling and an MLP projection)', () => {
  const fixture = join(root, 'fixtures/tiny-biomedclip');
  const ref = JSON.parse(readFileSync(join(fixture, 'reference/reference.json'), 'utf8')) as {
    prompts: string[];
    input_ids: number[][];
    images: { 'cxr-a': { logits: number[] } };
  };
  const goldens = JSON.parse(readFileSync(join(fixture, 'reference/tokens.json'), 'utf8')) as { texts: string[]; input_ids: number[][]; attention_mask: number[][] };

  it('builds both towers: embeddings equal torch to 1e-5, token ids equal the Rust tokenizer, logits equal torch', async () => {
    const out = join(temp(), 'biomedclip');
    const r = envision(['import', 'clip', fixture, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^envision import: wrote .* \(open_clip, 71 tensors, embeddingDim 16, logitScale 3\.0999999046325684;/);
    expect(readdirSync(out).sort()).toEqual(['onnx', 'open_clip_config.json', 'open_clip_model.safetensors', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    const image = join(temp(), 'biomedclip-image.npy');
    expect(envision(['embed', '--model', out, '--image', join(root, 'fixtures/images/cxr-a.png'), '--out', image]).code).toBe(0);
    expect(maxRelativeError(await readNpy(image), await readNpy(join(fixture, 'reference/image_embeds-cxr-a.npy')))).toBeLessThan(1e-5);
    const text = join(temp(), 'biomedclip-text.npy');
    expect(envision(['embed', '--model', out, ...ref.prompts.flatMap((p) => ['--prompt', p]), '--out', text]).code).toBe(0);
    expect(maxRelativeError(await readNpy(text), await readNpy(join(fixture, 'reference/text_embeds.npy')))).toBeLessThan(1e-5);
    const tokens = envision(['tokenize', '--model', out, ...goldens.texts.flatMap((p) => ['--prompt', p])]);
    expect(tokens.code, tokens.stderr).toBe(0);
    expect(JSON.parse(tokens.stdout)).toEqual({ input_ids: goldens.input_ids, attention_mask: goldens.attention_mask });
    const prompts = join(temp(), 'biomedclip-prompts.yaml');
    writeFileSync(prompts, `classes:\n${ref.prompts.map((p, k) => `  c${k}: [${JSON.stringify(p)}]`).join('\n')}\n`);
    const c = envision(['classify', '--model', out, '--image', join(root, 'fixtures/images/cxr-a.png'), '--prompts', prompts, '--json']);
    expect(c.code, c.stderr).toBe(0);
    const logits = (JSON.parse(c.stdout) as { classes: { logit: number }[] }).classes.map((k) => k.logit);
    logits.forEach((l, k) => expect(l).toBeCloseTo(ref.images['cxr-a'].logits[k]!, 4));
  });
});

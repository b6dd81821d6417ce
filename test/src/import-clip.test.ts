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
  const broken = async (label: string, change: (d: string) => Promise<void> | void, message: RegExp) => {
    const source = join(temp(), `src-${label}`);
    cpSync(join(root, 'fixtures/tiny-clip'), source, { recursive: true });
    await change(source);
    const out = join(temp(), `out-${label}`);
    const r = envision(['import', 'clip', source, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(temp()).filter((f) => f.startsWith(`.out-${label}`))).toEqual([]);
  };
  const rewrite = async (d: string, edit: (m: Map<string, ReturnType<typeof tensor<'float32'>>>) => void) => {
    const sd = await readSafetensorsStateDict(join(d, 'model.safetensors'));
    const m = new Map([...sd].filter(([, t]) => t.dtype === 'float32')) as Map<string, ReturnType<typeof tensor<'float32'>>>;
    edit(m);
    writeFileSync(join(d, 'model.safetensors'), encodeSafetensors(m));
  };
  it('a missing key', () => broken('missing', (d) => rewrite(d, (m) => m.delete('text_model.final_layer_norm.weight')), /model\.safetensors: missing key 'text_model\.final_layer_norm\.weight'/));
  it('an unexpected key', () => broken('extra', (d) => rewrite(d, (m) => m.set('vision_model.extra.weight', tensor('float32', [1], Float32Array.of(1)))), /unexpected key 'vision_model\.extra\.weight'/));
  it('a misshapen key', () => broken('shape', (d) => rewrite(d, (m) => m.set('visual_projection.weight', tensor('float32', [4, 7], new Float32Array(28)))), /'visual_projection\.weight' has shape \[4, 7\], expected \[\?, 32\]/));
  it('an unknown model_type', () => broken('type', (d) => writeFileSync(join(d, 'config.json'), JSON.stringify({ model_type: 'blip' })), /config\.json: model_type "blip" is not one the importer builds \(clip, siglip\)/));
  it('no tokenizer', () => broken('tokenizer', (d) => rmSync(join(d, 'tokenizer.json')), /tokenizer\.json: no such file/));
  it('a corrupt safetensors file', () => broken('corrupt', (d) => writeFileSync(join(d, 'model.safetensors'), Buffer.from([5, 0, 0, 0, 0, 0, 0, 0, 123, 34])), /model\.safetensors: not a valid safetensors file: the header length 5 runs past the end/));
  it('a variant that contradicts config.json', () => {
    const r = envision(['import', 'clip', join(root, 'fixtures/tiny-clip'), '--out', join(temp(), 'v'), '--variant', 'siglip']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/variant 'siglip' was asked for, but model_type is 'clip'/);
  });
});

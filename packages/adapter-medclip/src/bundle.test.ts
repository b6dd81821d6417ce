import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { OnnxModel, TensorInfo } from '@envision/core';
import { type Bundle, checkSignatures, loadBundle } from './bundle.js';
import { parseManifest } from './manifest.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/tiny-dual', import.meta.url));
const temp = mkdtempSync(join(tmpdir(), 'medclip-bundle-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let copies = 0;
/** A fresh copy of the fixture bundle with its manifest edited. */
function brokenBundle(edit: (manifest: Record<string, any>, dir: string) => void): string {
  const dir = join(temp, `b${copies++}`);
  cpSync(FIXTURE, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'envision.json'), 'utf8')) as Record<string, any>;
  edit(manifest, dir);
  writeFileSync(join(dir, 'envision.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

async function failure(dir: string): Promise<{ code: string; message: string }> {
  try {
    const b = await loadBundle(dir);
    await dispose(b);
  } catch (e) {
    const { code, message } = e as { code: string; message: string };
    expect(message).not.toContain('\n');
    return { code, message };
  }
  throw new Error('expected loadBundle to fail');
}

async function dispose(b: Bundle): Promise<void> {
  await Promise.all([b.vision.dispose(), b.text.dispose()]);
}

describe('loadBundle', () => {
  it('loads the tiny-dual fixture', async () => {
    const b = await loadBundle(FIXTURE);
    try {
      expect(b.manifest.variant).toBe('tiny-cnn');
      expect(b.vision.inputs.map((i) => i.name)).toEqual(['pixel_values']);
      expect(b.vocab[0]).toBe('[PAD]');
      expect(b.tokenizer.padId).toBe(0);
      expect(b.hash).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await dispose(b);
    }
  });

  it('gives the same hash to the same bundle however its manifest is formatted', async () => {
    const dir = brokenBundle(() => undefined); // rewritten with other indentation
    const [a, b] = await Promise.all([loadBundle(FIXTURE), loadBundle(dir)]);
    expect(b.hash).toBe(a.hash);
    await Promise.all([dispose(a), dispose(b)]);
  });

  it('gives another hash when the vocabulary changes', async () => {
    const dir = brokenBundle((_m, d) => writeFileSync(join(d, 'vocab.txt'), `${readFileSync(join(d, 'vocab.txt'), 'utf8')}extra\n`));
    const [a, b] = await Promise.all([loadBundle(FIXTURE), loadBundle(dir)]);
    expect(b.hash).not.toBe(a.hash);
    await Promise.all([dispose(a), dispose(b)]);
  });
});

describe('loadBundle on malformed bundles: one line naming what is wrong', () => {
  it('a missing model file', async () => {
    const dir = brokenBundle((_m, d) => rmSync(join(d, 'text.onnx')));
    expect(await failure(dir)).toEqual({
      code: 'E_BUNDLE',
      message: `${dir}/envision.json: text.file names ${dir}/text.onnx, which does not exist`,
    });
  });

  it('every missing file at once', async () => {
    const dir = brokenBundle((m) => {
      m['vision'].file = 'nope.onnx';
      m['tokenizer'].vocab = 'nope.txt';
    });
    expect((await failure(dir)).message).toBe(
      `${dir}/envision.json: vision.file names ${dir}/nope.onnx, which does not exist; tokenizer.vocab names ${dir}/nope.txt, which does not exist`,
    );
  });

  it('a file outside the bundle', async () => {
    const dir = brokenBundle((m) => (m['vision'].file = '../tiny-dual/vision.onnx'));
    expect((await failure(dir)).message).toBe(`${dir}/envision.json: vision.file must name a file inside the bundle folder, got '../tiny-dual/vision.onnx'`);
  });

  it('a bad manifest field', async () => {
    const dir = brokenBundle((m) => (m['vision'].input = 42));
    expect(await failure(dir)).toEqual({ code: 'E_BUNDLE', message: `${dir}/envision.json: vision.input must be string` });
  });

  it('a wrong input name in the manifest', async () => {
    const dir = brokenBundle((m) => (m['vision'].input = 'pixels'));
    expect(await failure(dir)).toEqual({
      code: 'E_BUNDLE',
      message:
        `${dir}/envision.json: ${dir}/vision.onnx has no input 'pixels' (vision.input); its inputs: pixel_values float32 [batch, 3, 224, 224]`,
    });
  });

  it('a wrong output name and a wrong text input name', async () => {
    const dir = brokenBundle((m) => {
      m['text'].output = 'embeds';
      m['text'].inputs.mask = 'mask';
    });
    const { message } = await failure(dir);
    expect(message).toContain(`${dir}/text.onnx has no input 'mask' (text.inputs.mask); its inputs: input_ids int64 [batch, sequence], attention_mask int64 [batch, sequence]`);
    expect(message).toContain(`${dir}/text.onnx has no output 'embeds' (text.output); its outputs: text_embeds float32 [batch, 32]`);
  });

  it('an embedding size or image size the models do not have', async () => {
    const dir = brokenBundle((m) => {
      m['embeddingDim'] = 512;
      m['image'].size = 256;
    });
    const { message } = await failure(dir);
    expect(message).toContain(`${dir}/vision.onnx: input 'pixel_values' (vision.input) has dimension 2 = 224 (pixel_values float32 [batch, 3, 224, 224]), the manifest implies 256`);
    expect(message).toContain(`${dir}/text.onnx: output 'text_embeds' (text.output) has dimension 1 = 32 (text_embeds float32 [batch, 32]), the manifest implies 512`);
  });

  it('a vocabulary without the special tokens', async () => {
    const dir = brokenBundle((_m, d) => writeFileSync(join(d, 'vocab.txt'), 'a\nb\n'));
    expect(await failure(dir)).toEqual({ code: 'E_BUNDLE', message: `${dir}/vocab.txt lacks the special tokens [UNK], [SEP], [PAD], [CLS]` });
  });

  it('a model file that is not ONNX', async () => {
    const dir = brokenBundle((_m, d) => writeFileSync(join(d, 'vision.onnx'), 'not a model'));
    const { code, message } = await failure(dir);
    expect(code).toBe('E_ONNX');
    expect(message).toMatch(new RegExp(`^${dir}/vision.onnx is not a loadable ONNX model`));
  });

  it('a folder without envision.json', async () => {
    const dir = brokenBundle(() => undefined);
    rmSync(join(dir, 'envision.json'));
    expect(await failure(dir)).toEqual({ code: 'E_BUNDLE', message: `${dir} has no envision.json: not an Envision bundle` });
  });
});

describe('checkSignatures', () => {
  const manifest = parseManifest(readFileSync(join(FIXTURE, 'envision.json'), 'utf8'), 'B/envision.json');
  const model = (path: string, inputs: TensorInfo[], outputs: TensorInfo[]) => ({ path, inputs, outputs }) as unknown as OnnxModel;
  const vision = model('v.onnx', [{ name: 'pixel_values', dtype: 'float32', shape: [null, 3, 224, 224] }], [{ name: 'image_embeds', dtype: 'float32', shape: ['batch', 32] }]);
  const ids = { name: 'input_ids', dtype: 'int64', shape: ['b', 's'] };
  const mask = { name: 'attention_mask', dtype: 'int64', shape: ['b', 's'] };
  const out = { name: 'text_embeds', dtype: 'float32', shape: ['b', 32] };

  it('accepts matching signatures', () => {
    expect(() => checkSignatures(manifest, vision, model('t.onnx', [ids, mask], [out]), 'B/envision.json')).not.toThrow();
  });

  it('names an input the manifest does not feed', () => {
    const text = model('t.onnx', [ids, mask, { name: 'token_type_ids', dtype: 'int64', shape: ['b', 's'] }], [out]);
    expect(() => checkSignatures(manifest, vision, text, 'B/envision.json')).toThrow('B/envision.json: t.onnx has inputs envision.json does not name: token_type_ids');
  });

  it('names a wrong element type and rank', () => {
    const text = model('t.onnx', [{ ...ids, dtype: 'int32' }, { ...mask, shape: ['b'] }], [out]);
    expect(() => checkSignatures(manifest, vision, text, 'B/envision.json')).toThrow(
      "B/envision.json: t.onnx: input 'input_ids' (text.inputs.ids) is int32, must be int64; " +
        "t.onnx: input 'attention_mask' (text.inputs.mask) has rank 1 (attention_mask int64 [b]), must have rank 2",
    );
  });
});

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANIFEST_FILE, parseManifest, readManifest } from './manifest.js';

/** The manifest of the issue, as a fresh object each call. */
function exampleManifest(): Record<string, any> {
  return {
    format: 'envision-bundle/1',
    adapter: 'medclip',
    variant: 'vit',
    vision: { file: 'vision.onnx', input: 'pixel_values', output: 'image_embeds', channels: 3 },
    text: { file: 'text.onnx', inputs: { ids: 'input_ids', mask: 'attention_mask' }, output: 'text_embeds' },
    tokenizer: { vocab: 'vocab.txt', lowercase: false, maxLength: 77 },
    image: { size: 224, mean: 0.5862785803043838, std: 0.27950088968644304, resample: 'bicubic' },
    logitScale: 2.6592600345611572,
    embeddingDim: 512,
  };
}

function messageOf(edit: (m: Record<string, any>) => void): string {
  const m = exampleManifest();
  edit(m);
  try {
    parseManifest(JSON.stringify(m), 'B/envision.json');
  } catch (e) {
    expect((e as { code: string }).code).toBe('E_BUNDLE');
    return (e as Error).message;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('parseManifest', () => {
  it('accepts the example manifest', () => {
    const m = parseManifest(JSON.stringify(exampleManifest()), 'B/envision.json');
    expect(m.vision.input).toBe('pixel_values');
    expect(m.image.resample).toBe('bicubic');
  });

  it('defaults image.resample to bicubic and accepts bilinear', () => {
    expect(parseManifest(JSON.stringify({ ...exampleManifest(), image: { size: 8, mean: 0.5, std: 0.25 } }), 'x').image.resample).toBe('bicubic');
    const m = exampleManifest();
    m['image'].resample = 'bilinear';
    expect(parseManifest(JSON.stringify(m), 'x').image.resample).toBe('bilinear');
  });

  it('accepts any variant string', () => {
    expect(parseManifest(JSON.stringify({ ...exampleManifest(), variant: 'resnet50 (my export)' }), 'x').variant).toBe('resnet50 (my export)');
  });

  it.each([
    ['a wrong type', (m: any) => (m.vision.input = 3), 'B/envision.json: vision.input must be string'],
    ['a missing field', (m: any) => delete m.text.inputs.mask, "B/envision.json: text.inputs must have required property 'mask'"],
    ['a missing top-level field', (m: any) => delete m.logitScale, "B/envision.json: must have required property 'logitScale'"],
    ['an unknown resample', (m: any) => (m.image.resample = 'lanczos'), 'B/envision.json: image.resample must be "bicubic" or "bilinear"'],
    ['a wrong format', (m: any) => (m.format = 'envision-bundle/2'), 'B/envision.json: format must be "envision-bundle/1"'],
    ['another adapter', (m: any) => (m.adapter = 'clip'), 'B/envision.json: adapter must be "medclip"'],
    ['a fractional embeddingDim', (m: any) => (m.embeddingDim = 1.5), 'B/envision.json: embeddingDim must be integer'],
    ['embeddingDim 0', (m: any) => (m.embeddingDim = 0), 'B/envision.json: embeddingDim must be >= 1'],
    ['a string logitScale', (m: any) => (m.logitScale = '2.6'), 'B/envision.json: logitScale must be number'],
    ['a misspelt field', (m: any) => (m.tokenizer.maxlength = 77), 'B/envision.json: tokenizer.maxlength is not allowed'],
    ['a zero std', (m: any) => (m.image.std = 0), 'B/envision.json: image.std must be >= 0.000001'],
    ['a std of 1e-300 (normalised pixels would overflow)', (m: any) => (m.image.std = 1e-300), 'B/envision.json: image.std must be >= 0.000001'],
    ['a mean of -1e308', (m: any) => (m.image.mean = -1e308), 'B/envision.json: image.mean must be >= -1000'],
  ])('names the field for %s', (_what, edit, message) => {
    expect(messageOf(edit)).toBe(message);
  });

  it('reports every problem on one line', () => {
    const message = messageOf((m) => {
      m.vision.channels = 'three';
      m.tokenizer.lowercase = 'no';
    });
    expect(message).toBe('B/envision.json: vision.channels must be integer; tokenizer.lowercase must be boolean');
    expect(message).not.toContain('\n');
  });

  it('rejects text that is not JSON or not an object', () => {
    expect(() => parseManifest('{ "format": ', 'B/envision.json')).toThrow(/^B\/envision.json: not valid JSON: /);
    expect(() => parseManifest('[1, 2]', 'B/envision.json')).toThrow('B/envision.json: must be a JSON object, got an array');
    expect(() => parseManifest('null', 'B/envision.json')).toThrow('B/envision.json: must be a JSON object, got null');
  });
});

describe('readManifest', () => {
  const root = mkdtempSync(join(tmpdir(), 'medclip-manifest-'));

  it('reads a bundle folder', async () => {
    const dir = join(root, 'ok');
    mkdirSync(dir);
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(exampleManifest()));
    expect((await readManifest(dir)).embeddingDim).toBe(512);
  });

  it('names a missing folder, a file given as folder, and a folder without envision.json', async () => {
    await expect(readManifest(join(root, 'nope'))).rejects.toThrow(`bundle folder ${join(root, 'nope')} does not exist`);
    const file = join(root, 'file.txt');
    writeFileSync(file, 'x');
    await expect(readManifest(file)).rejects.toThrow(`${file} is not a folder`);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await expect(readManifest(empty)).rejects.toMatchObject({ code: 'E_BUNDLE', message: `${empty} has no envision.json: not an Envision bundle` });
  });
});

// The CLI's model commands on CLIP-family folders (--model DIR): the exact contracts of preprocess, tokenize, embed
// and classify, the folder detection, and one line + exit 2 + nothing written for every broken folder.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxAbsoluteError, maxRelativeError, readNpy, tensor } from '@envision/core';
import { DataType, encodeModel, makeGraph, makeModel, makeNode, makeTensorValueInfo, tensorToProto } from '@envision/onnx-grad';
import { envision, root, useTempDir } from './cli.js';

const CLIP = join(root, 'fixtures/tiny-clip');
const SIGLIP = join(root, 'fixtures/tiny-siglip');
const IMAGE = join(root, 'fixtures/images/rgb-wide.png');
const temp = useTempDir('envision-clip-cli-');

const reference = (model: string) => JSON.parse(readFileSync(join(model, 'reference/reference.json'), 'utf8')) as {
  prompts: string[];
  input_ids: number[][];
  images: Record<string, { logits: number[]; probs: number[] }>;
};

describe('preprocess, tokenize, embed and classify --model DIR', () => {
  for (const model of [CLIP, SIGLIP]) {
    const name = model.split('/').pop()!;
    it(`${name}: preprocess → float32 [1, 3, H, W], the processor's pixels`, async () => {
      const out = join(temp(), `${name}-pixels.npy`);
      const r = envision(['preprocess', '--model', model, '--image', IMAGE, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      const pixels = await readNpy(out);
      expect(pixels.shape).toEqual([1, 3, 32, 32]);
      expect(maxAbsoluteError(pixels, await readNpy(join(model, 'reference/pixels-rgb-wide.npy')))).toBeLessThan(1e-6);
    });

    it(`${name}: tokenize prints {"input_ids", "attention_mask"} of one padded batch`, () => {
      const ref = reference(model);
      const r = envision(['tokenize', '--model', model, ...ref.prompts.flatMap((p) => ['--prompt', p])]);
      expect(r.code, r.stderr).toBe(0);
      const printed = JSON.parse(r.stdout) as { input_ids: number[][]; attention_mask: number[][] };
      expect(Object.keys(printed)).toEqual(['input_ids', 'attention_mask']);
      expect(printed.input_ids).toEqual(ref.input_ids);
    });

    it(`${name}: embed --image → [1, M], embed --prompt … → [K, M], unnormalised, as torch`, async () => {
      const img = join(temp(), `${name}-e.npy`);
      expect(envision(['embed', '--model', model, '--image', IMAGE, '--out', img]).code).toBe(0);
      const e = await readNpy(img);
      expect(e.shape[0]).toBe(1);
      expect(maxRelativeError(e, await readNpy(join(model, 'reference/image_embeds-rgb-wide.npy')))).toBeLessThan(1e-5);
      const txt = join(temp(), `${name}-t.npy`);
      const ref = reference(model);
      expect(envision(['embed', '--model', model, ...ref.prompts.flatMap((p) => ['--prompt', p]), '--out', txt]).code).toBe(0);
      const t = await readNpy(txt);
      expect(t.shape).toEqual([3, e.shape[1]]);
      expect(maxRelativeError(t, await readNpy(join(model, 'reference/text_embeds.npy')))).toBeLessThan(1e-5);
    });

    it(`${name}: classify --json has today's shape; logits and probabilities are torch's`, () => {
      const ref = reference(model);
      const prompts = join(temp(), `${name}-prompts.yaml`);
      writeFileSync(prompts, `classes:\n${ref.prompts.map((p) => `  ${JSON.stringify(p)}: [${JSON.stringify(p)}]`).join('\n')}\n`);
      const r = envision(['classify', '--model', model, '--image', IMAGE, '--prompts', prompts, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { image: string; prompts: string; ensemble: string; classes: { name: string; logit: number; probability: number }[]; predicted: string };
      expect(Object.keys(out)).toEqual(['image', 'prompts', 'ensemble', 'classes', 'predicted']);
      out.classes.forEach((c, k) => {
        expect(Object.keys(c)).toEqual(['name', 'logit', 'probability']);
        expect(c.logit).toBeCloseTo(ref.images['rgb-wide']!.logits[k]!, 4);
        expect(c.probability).toBeCloseTo(ref.images['rgb-wide']!.probs[k]!, 5);
      });
      const table = envision(['classify', '--model', model, '--image', IMAGE, '--prompts', prompts]);
      expect(table.stdout).toContain(name === 'tiny-siglip' ? 'sigmoid' : 'softmax');
    });
  }

  it('--adapter names the adapter; a folder no adapter recognises is one line, exit 2', () => {
    expect(envision(['tokenize', '--model', CLIP, '--adapter', 'clip', '--prompt', 'x']).code).toBe(0);
    const r = envision(['tokenize', '--model', temp(), '--prompt', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^envision tokenize: --model .*: no envision\.json \(a MedCLIP bundle\), no config\.json with a CLIP-family model_type/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(envision(['tokenize', '--model', CLIP, '--adapter', 'nope', '--prompt', 'x']).stderr).toBe("envision tokenize: --adapter must be medclip or clip, got 'nope'\n");
    expect(envision(['tokenize', '--model', CLIP, '--bundle', CLIP, '--prompt', 'x']).code).toBe(2);
  });

  it('--bundle keeps working for MedCLIP bundles', () => {
    expect(envision(['tokenize', '--bundle', join(root, 'fixtures/tiny-dual'), '--prompt', 'no finding']).code).toBe(0);
    expect(envision(['tokenize', '--model', join(root, 'fixtures/tiny-dual'), '--prompt', 'no finding']).stdout).toBe(
      envision(['tokenize', '--bundle', join(root, 'fixtures/tiny-dual'), '--prompt', 'no finding']).stdout,
    );
  });
});

/** A copy of the tiny CLIP folder, changed by `change`. */
function brokenCopy(name: string, change: (d: string) => void): string {
  const d = join(temp(), name);
  cpSync(CLIP, d, { recursive: true });
  change(d);
  return d;
}

/**
 * A text model whose `text_embeds` is [batch, width]: (mean of the ids + 1000 · mean of the token types) times the row
 * 1, 2, …, width; with `types`, it declares `attention_mask` and `token_type_ids` too (a BERT-style export).
 */
function textModel(width: number, types = false): Uint8Array {
  const cast = (from: string, to: string) => makeNode('Cast', [from], [to], { to: BigInt(DataType.FLOAT) });
  const graph = makeGraph(
    [
      cast('input_ids', 'f'),
      ...(types ? [cast('token_type_ids', 'g'), makeNode('Mul', ['g', 'thousand'], ['g1000']), makeNode('Add', ['f', 'g1000'], ['h'])] : []),
      makeNode('ReduceMean', [types ? 'h' : 'f'], ['m'], { axes: [1n], keepdims: 1n }),
      makeNode('MatMul', ['m', 'w'], ['text_embeds']),
    ],
    'text',
    [
      makeTensorValueInfo('input_ids', DataType.INT64, ['batch', 'sequence']),
      ...(types ? ['attention_mask', 'token_type_ids'].map((n) => makeTensorValueInfo(n, DataType.INT64, ['batch', 'sequence'])) : []),
    ],
    [makeTensorValueInfo('text_embeds', DataType.FLOAT, ['batch', width])],
    [
      tensorToProto('w', tensor('float32', [1, width], Float32Array.from({ length: width }, (_, i) => i + 1))),
      ...(types ? [tensorToProto('thousand', tensor('float32', [], Float32Array.of(1000)))] : []),
    ],
  );
  return encodeModel(makeModel(graph, { '': 13 }));
}

describe('a BERT-style text export', () => {
  it('gets zero token_type_ids and its attention mask', async () => {
    const folder = brokenCopy('bert-style', (d) => writeFileSync(join(d, 'onnx/text_model.onnx'), textModel(16, true)));
    const out = join(temp(), 'bert-style.npy');
    const r = envision(['embed', '--model', folder, '--prompt', 'cardiomegaly', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const ids = (JSON.parse(envision(['tokenize', '--model', folder, '--prompt', 'cardiomegaly']).stdout) as { input_ids: number[][] }).input_ids[0]!;
    const mean = ids.reduce((a, b) => a + b, 0) / ids.length;
    const e = await readNpy(out);
    expect(maxRelativeError(e, Array.from({ length: 16 }, (_, i) => mean * (i + 1)))).toBeLessThan(1e-6);
  });
});

describe('a broken folder: one line naming the file and field, exit 2, nothing written', () => {
  const cases: [string, (d: string) => void, RegExp][] = [
    ['no tokenizer', (d) => rmSync(join(d, 'tokenizer.json')), /tokenizer\.json: no such file/],
    ['an unknown model_type', (d) => {
      const c = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
      writeFileSync(join(d, 'config.json'), JSON.stringify({ ...c, model_type: 'vit' }));
    }, /config\.json: model_type "vit" is not a model this adapter loads \(clip, siglip, chinese_clip\)/],
    ['no logit scale anywhere', (d) => rmSync(join(d, 'model.safetensors')), /no logit scale: .* has no model\.safetensors; set the logitScale option/],
    ['an output of the wrong width', (d) => writeFileSync(join(d, 'onnx/text_model.onnx'), textModel(5)), /text_model\.onnx: output 'text_embeds' has width 5, but .*vision_model\.onnx: output 'image_embeds' has width 16/],
    ['a corrupt model.safetensors', (d) => writeFileSync(join(d, 'model.safetensors'), Buffer.alloc(20, 0xff)), /model\.safetensors: not a valid safetensors file: the header length/],
  ];
  it.each(cases)('%s', (name, change, message) => {
    const folder = brokenCopy(name.replace(/\W+/g, '-'), change);
    const out = join(temp(), `${name.replace(/\W+/g, '-')}-run`);
    const yaml = join(temp(), `${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(yaml, `model: { adapter: clip, dir: ${folder} }\nimages: [${IMAGE}]\nmethods: [{ id: saliency }]\ntargets: [{ name: t, texts: [x], fusion: { id: dot } }]\noutput: { dir: ${out} }\n`);
    const r = envision(['run', yaml]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    // --adapter clip: a folder with an unknown model_type is not detected as a CLIP folder (see the detection test)
    const c = envision(['classify', '--model', folder, '--adapter', 'clip', '--image', IMAGE, '--prompts', 'labels', '--json']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(message);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkAdapter } from '@envision/core';
import { decodeGrey } from '@envision/image';
import { __IDENT__ } from './__ID__.js';
import { preprocessImage } from './preprocess.js';
import { VocabTokenizer } from './tokenizer.js';

// The demo model and image the package ships for its example (the compiled test runs from dist/).
const example = fileURLToPath(new URL('../example/', import.meta.url));
const image = join(example, 'chest-x-ray.png');
const vocabFile = join(example, 'model', 'vocab.txt');

test('__ID__ passes the adapter kit: preprocessing, embeddings, batches against singles, the vjp, the logit scale', async () => {
  // Texts of different lengths: every row is padded to maxLength, so a text embeds the same alone or in a batch.
  const results = await checkAdapter(__IDENT__, { dir: 'model' }, { baseDir: example, image, texts: ['no finding', 'left lower lobe consolidation'] });
  for (const r of results) console.log(`  ${r.name}: ${r.detail}`);
});

test('the tokenizer looks words up whole in vocab.txt, framed by [CLS] and [SEP], padded with [PAD]', async () => {
  const lines = readFileSync(vocabFile, 'utf8').split(/\r?\n/);
  const id = (token: string): number => lines.indexOf(token);
  const tokenizer = await VocabTokenizer.load(vocabFile, { maxLength: 8 });
  assert.deepEqual(tokenizer.encode('left lung, zebra'), [id('[CLS]'), id('left'), id('lung'), id(','), id('[UNK]'), id('[SEP]')]);
  const { ids, mask } = tokenizer.batch(['left lung', 'no']);
  assert.deepEqual(ids.shape, [2, 8]);
  assert.deepEqual([...mask.data].map(Number), [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0]);
  assert.equal(Number(ids.data[7]), id('[PAD]'));
});

test('preprocessing at the image’s own size only normalises: (level / 255 − mean) / std in every channel', async () => {
  const grey = await decodeGrey(image);
  assert.equal(grey.bitDepth, 8);
  const pixels = await preprocessImage(image, { size: grey.width, mean: 0.5, std: 0.25, channels: 3 });
  assert.deepEqual(pixels.shape, [1, 3, grey.height, grey.width]);
  const n = grey.width * grey.height;
  for (const i of [0, 1, Math.floor(n / 2), n - 1]) {
    const expected = (grey.data[i]! / 255 - 0.5) / 0.25;
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(pixels.data[c * n + i]! - expected) < 1e-6, `channel ${c} pixel ${i}`);
  }
});

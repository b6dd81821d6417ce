// Token-id goldens for fixtures/tiny-clip and fixtures/tiny-siglip, from the Rust `tokenizers` npm binding
// (dev-time only; tests and CI never run it). make_clip_fixtures.py runs it after writing the tokenizer.json files;
// it can also be run on its own, from anywhere:
//
//   mkdir -p /tmp/tok-ref && cd /tmp/tok-ref && npm init -y && npm i tokenizers@0.23.2 @huggingface/tokenizers@0.2.0
//   NODE_PATH=/tmp/tok-ref/node_modules node scripts/dev/clip_token_goldens.mjs
//
// Writes fixtures/tiny-<m>/reference/tokens.json:
//   { texts, unpadded, input_ids, attention_mask, ...provenance }
//   unpadded[i]        the full encoding of texts[i] with special tokens, NO truncation (encode(text, null,
//                      { addSpecialTokens: true }))
//   input_ids[i]       Python HF semantics, done by hand on top of the Rust encoding:
//                        CLIP   tokenizer(texts, padding=True, truncation=True)
//                               -> truncate to model_max_length 16, pad to the longest row of THIS batch
//                        SigLIP tokenizer(texts, padding="max_length", max_length=16, truncation=True)
//                               -> truncate to 16, pad every row to 16
//                      Truncation keeps the final special token, as Python HF does: encode WITHOUT special tokens,
//                      cut the content to 16 - (number of special tokens the post-processor adds; computed as
//                      len(encode("", with specials)) - len(encode("", without))), then let the tokenizer's own
//                      post-processor add the specials to the cut encoding (tokenizer.postProcess(enc, null, true)).
//                      Padding appends the pad id of tokenizer_config.json's pad_token (<|endoftext|> for CLIP,
//                      </s> for SigLIP, NOT <pad>) on the right.
//   attention_mask[i]  1 for the tokens, 0 for the padding (SigLIP's model ignores it: its exports take ids only).
// Cross-checks printed (and failing the run where they must hold): the hand truncation equals the Rust tokenizer's
// own setTruncation(16) encoding; untruncated rows equal their unpadded encoding; the pure-JS
// @huggingface/tokenizers (what transformers.js uses) is compared on every text and differences are listed (not
// fatal: they are findings for the adapter).
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url); // honours NODE_PATH
const { Tokenizer } = require('tokenizers');
let JsTokenizer = null;
try {
  ({ Tokenizer: JsTokenizer } = require('@huggingface/tokenizers'));
} catch {
  console.log('  (@huggingface/tokenizers not found: skipping the pure-JS comparison)');
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAX_LENGTH = 16;

const TEXTS = [
  '',
  'a chest x-ray with pleural effusion',
  'cardiomegaly',
  'no finding',
  'Left Lower Lobe CONSOLIDATION, 2 views.',
  '   a   photo  of a    cat  ',
  'atelectasis',
  'pneumothorax \u2014 small, right-sided (caf\u00e9)',
  'cafe\u0301 \u2014 PLEURAL EFFUSION!!!',
  "there's no pneumothorax; it's 3 views",
  'no pleural effusion, no pneumothorax, no cardiomegaly and no left lower lobe consolidation on this chest x-ray',
];

const FIXTURES = [
  { dir: 'fixtures/tiny-clip', padding: 'longest', python: 'tokenizer(texts, padding=True, truncation=True)' },
  {
    dir: 'fixtures/tiny-siglip',
    padding: 'max_length',
    python: 'tokenizer(texts, padding="max_length", max_length=16, truncation=True)',
  },
];

function sameIds(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function jsonWithCompactRows(obj) {
  // indent 2, but every list of numbers on one line
  return JSON.stringify(obj, null, 2).replace(/\[\s+([-\d.,\s]+?)\s+\]/g, (_, inner) =>
    '[' + inner.split(',').map((s) => s.trim()).join(', ') + ']',
  );
}

const version = JSON.parse(readFileSync(require.resolve('tokenizers/package.json'), 'utf8')).version;
let jsVersion = null;
if (JsTokenizer) {
  try {
    const p = require.resolve('@huggingface/tokenizers').replace(/dist[\\/].*$/, 'package.json');
    jsVersion = JSON.parse(readFileSync(p, 'utf8')).version;
  } catch {
    jsVersion = 'unknown';
  }
}

for (const fx of FIXTURES) {
  const dir = join(ROOT, fx.dir);
  const tokPath = join(dir, 'tokenizer.json');
  const cfg = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
  const maxLength = cfg.model_max_length;
  if (maxLength !== MAX_LENGTH) throw new Error(`${fx.dir}: model_max_length ${maxLength}`);
  const tok = Tokenizer.fromFile(tokPath);
  const padId = tok.tokenToId(cfg.pad_token);
  if (padId === null || padId === undefined) throw new Error(`${fx.dir}: pad token ${cfg.pad_token} not in vocab`);

  const withSp = await tok.encode('', null, { addSpecialTokens: true });
  const without = await tok.encode('', null, { addSpecialTokens: false });
  const nSpecial = withSp.getLength() - without.getLength();

  const truncating = Tokenizer.fromFile(tokPath);
  truncating.setTruncation(maxLength);

  const unpadded = [];
  const truncated = [];
  const tokens = [];
  let rustTruncationAgrees = 0;
  for (const text of TEXTS) {
    const full = await tok.encode(text, null, { addSpecialTokens: true });
    unpadded.push(full.getIds());
    tokens.push(full.getTokens());
    const content = await tok.encode(text, null, { addSpecialTokens: false });
    if (content.getLength() > maxLength - nSpecial) content.truncate(maxLength - nSpecial, 0, 'right');
    const cut = tok.postProcess(content, null, true).getIds();
    if (full.getLength() <= maxLength && !sameIds(cut, full.getIds())) {
      throw new Error(`${fx.dir}: post-processed content != full encoding for ${JSON.stringify(text)}`);
    }
    const rustCut = (await truncating.encode(text, null, { addSpecialTokens: true })).getIds();
    if (!sameIds(cut, rustCut)) {
      throw new Error(`${fx.dir}: hand truncation ${cut} != Rust truncation ${rustCut} for ${JSON.stringify(text)}`);
    }
    rustTruncationAgrees += 1;
    truncated.push(cut);
  }
  const width = fx.padding === 'max_length' ? maxLength : Math.max(...truncated.map((r) => r.length));
  const inputIds = truncated.map((r) => r.concat(Array(width - r.length).fill(padId)));
  const attentionMask = truncated.map((r) => r.map(() => 1).concat(Array(width - r.length).fill(0)));

  // pure-JS tokenizer (what transformers.js uses) vs Rust
  const jsDiffs = [];
  if (JsTokenizer) {
    const js = new JsTokenizer(JSON.parse(readFileSync(tokPath, 'utf8')), cfg);
    TEXTS.forEach((text, i) => {
      let ids;
      try {
        ids = js.encode(text).ids;
      } catch (e) {
        ids = `error: ${e.message}`;
      }
      if (!Array.isArray(ids) || !sameIds(ids, unpadded[i])) jsDiffs.push({ text, rust: unpadded[i], js: ids });
    });
  }

  const out = {
    texts: TEXTS,
    unpadded,
    input_ids: inputIds,
    attention_mask: attentionMask,
    tokens,
    padding: fx.padding,
    python_equivalent: fx.python,
    max_length: maxLength,
    pad_token: cfg.pad_token,
    pad_id: padId,
    special_tokens_added: nSpecial,
    how: 'Rust tokenizers: encode(text, null, {addSpecialTokens: true}) for unpadded; for input_ids the content ' +
      '(encoded without special tokens) is cut to max_length - special_tokens_added, the post-processor adds the ' +
      'specials (tokenizer.postProcess), then rows are right-padded with pad_id (to the longest row for CLIP, to ' +
      'max_length for SigLIP). Equal to the Rust tokenizer\'s own setTruncation(max_length) on every text.',
    generator: 'scripts/dev/clip_token_goldens.mjs',
    tokenizers_version: version,
    huggingface_tokenizers_js: jsVersion
      ? { version: jsVersion, texts_that_differ_from_rust: jsDiffs.map((d) => d.text) }
      : null,
  };
  const refDir = join(dir, 'reference');
  if (!existsSync(refDir)) throw new Error(`${refDir} missing`);
  writeFileSync(join(refDir, 'tokens.json'), jsonWithCompactRows(out) + '\n');
  console.log(
    `  ${fx.dir}/reference/tokens.json: ${TEXTS.length} texts, ${nSpecial} special token(s), pad id ${padId}, ` +
      `width ${width}; hand truncation == Rust truncation on ${rustTruncationAgrees}/${TEXTS.length}`,
  );
  for (let i = 0; i < TEXTS.length; i++) {
    console.log(`    ${JSON.stringify(TEXTS[i]).padEnd(44)} ${JSON.stringify(tokens[i])}`);
  }
  if (JsTokenizer) {
    const agree = TEXTS.length - jsDiffs.length;
    console.log(`    @huggingface/tokenizers ${jsVersion}: ${agree}/${TEXTS.length} equal to Rust`);
    for (const d of jsDiffs) {
      const ids = `rust ${JSON.stringify(d.rust)} js ${JSON.stringify(d.js)}`;
      console.log(`      differs on ${JSON.stringify(d.text)}: ${ids}`);
    }
  }
}

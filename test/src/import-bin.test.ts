import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Tensor, maxRelativeError, tensor } from '@envision/core';
import { MedClipAdapter, TextEmbeddingCache } from '@envision/adapter-medclip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openZip } from '../../packages/import/src/checkpoint/zip.js';
import { writeZip } from '../../packages/import/src/checkpoint/zip-write.js';
import { envision, root } from './cli.js';

// `envision import medclip` through the built binary (packages/cli/dist/bin.js; the test command builds it first), on
// fixtures/checkpoints/medclip-vit-tiny.zip, a reduced MedCLIP-ViT checkpoint saved by torch.save (a zip holding
// pytorch_model.bin, MedCLIP's key names), with float64 torch embeddings in reference-vit.json, both from
// scripts/dev/make_medclip_checkpoints.py. Its BERT has 4 heads of 32, so the import needs --text-heads 4.
const CHECKPOINTS = join(root, 'fixtures/checkpoints');
const CHECKPOINT = join(CHECKPOINTS, 'medclip-vit-tiny.zip');
const VOCAB = join(CHECKPOINTS, 'vocab.txt');
const ref = JSON.parse(readFileSync(join(CHECKPOINTS, 'reference-vit.json'), 'utf8')) as {
  keys: number;
  embeddingDim: number;
  textHeads: number;
  images: { input: string; embedding: number[] }[];
  texts: { texts: string[]; embeddings: number[][] }[];
};

/** The synthetic input of the reference script: sin(0.05 h (c + 1)) cos(0.03 w) + 0.1 c, float32 [1, 3, 224, 224]. */
function pattern(): Tensor<'float32'> {
  const data = new Float32Array(3 * 224 * 224);
  for (let c = 0; c < 3; c++) for (let h = 0; h < 224; h++) for (let w = 0; w < 224; w++) data[(c * 224 + h) * 224 + w] = Math.sin(0.05 * h * (c + 1)) * Math.cos(0.03 * w) + 0.1 * c;
  return tensor('float32', [1, 3, 224, 224], data);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envision-import-bin-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Files left beside the output folders (the import writes to a temporary sibling, then renames it). */
const leftovers = () => readdirSync(dir).filter((f) => f.startsWith('.') || f.startsWith('from-'));

describe('envision import medclip (built binary), vit variant', () => {
  it('imports the checkpoint zip into a bundle whose embeddings match torch to 1e-4', async () => {
    const out = join(dir, 'vit');
    const r = envision(['import', 'medclip', CHECKPOINT, '--vocab', VOCAB, '--out', out, '--variant', 'vit', '--text-heads', String(ref.textHeads)]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(`^envision import: wrote .*vit \\(MedCLIP vit, ${ref.keys} tensors, embeddingDim ${ref.embeddingDim}, logitScale 3\\.401\\d*; vision\\.onnx [\\d.]+ MB, text\\.onnx [\\d.]+ MB, [\\d.]+ s\\)\\n$`),
    );
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['envision.json', 'text.onnx', 'vision.onnx', 'vocab.txt']);
    const adapter = await MedClipAdapter.load(out, { textCache: new TextEmbeddingCache() });
    try {
      for (const image of ref.images) {
        const pixels = image.input === 'pattern' ? pattern() : await adapter.preprocessImage(join(root, 'fixtures', image.input));
        expect(maxRelativeError(await adapter.encodeImage(pixels), image.embedding)).toBeLessThan(1e-4);
      }
      for (const batch of ref.texts) expect(maxRelativeError(await adapter.encodeText(batch.texts), batch.embeddings.flat())).toBeLessThan(1e-4);
    } finally {
      await adapter.dispose();
    }
  });
});

describe('envision import medclip (built binary): bad checkpoints fail in one line, exit 2, and write nothing', () => {
  const enc = new TextEncoder();
  const marker = () => join(dir, 'pwned');
  /** A torch zip whose data.pkl calls `module.name(arg)`: GLOBAL, BINUNICODE, TUPLE1, REDUCE, STOP. */
  const hostile = (module: string, name: string, arg: string) => {
    const a = enc.encode(arg);
    const pickle = Uint8Array.from([0x80, 2, 0x63, ...enc.encode(`${module}\n${name}\n`), 0x58, a.length, 0, 0, 0, ...a, 0x85, 0x52, 0x2e]);
    return writeZip([{ name: 'archive/data.pkl', data: pickle }]);
  };
  const bytes = readFileSync(CHECKPOINT);
  const inner = (() => {
    const zip = openZip(bytes, CHECKPOINT);
    return zip.read(zip.entries.find((e) => e.name === 'pytorch_model.bin')!);
  })();

  const cases: [string, () => Uint8Array, RegExp][] = [
    ['a truncated download (the outer zip cut in half)', () => bytes.subarray(0, bytes.length >> 1), /is not a complete zip archive \(no end-of-central-directory record\): the file is truncated or corrupt$/],
    ['a truncated pytorch_model.bin', () => inner.subarray(0, inner.length - 1000), /is not a complete zip archive \(no end-of-central-directory record\): the file is truncated or corrupt$/],
    ['an unknown global (os.system)', () => hostile('os', 'system', `touch ${marker()}`), /: archive\/data\.pkl: unsupported global 'os\.system' in data\.pkl: a state dict needs only OrderedDict and torch tensors$/],
    ['an unknown global (builtins.eval)', () => hostile('builtins', 'eval', `__import__('os').system('touch ${marker()}')`), /unsupported global 'builtins\.eval' in data\.pkl/],
    ['a zip holding no checkpoint', () => writeZip([{ name: 'readme.txt', data: enc.encode('hello') }]), /holds no data\.pkl and no pytorch_model\.bin: not a torch checkpoint \(entries: readme\.txt\)$/],
  ];

  it.each(cases)('%s', (_, make, message) => {
    const file = join(dir, 'bad.bin');
    writeFileSync(file, make());
    const out = join(dir, 'from-bad');
    const r = envision(['import', 'medclip', file, '--vocab', VOCAB, '--out', out, '--text-heads', '4']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith('envision import: ')).toBe(true);
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.slice(0, -1)).not.toContain('\n');
    expect(r.stderr.slice(0, -1)).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(marker())).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('an output folder that cannot be created', () => {
    const out = join(dir, 'no-such-parent', 'bundle');
    const r = envision(['import', 'medclip', CHECKPOINT, '--vocab', VOCAB, '--out', out, '--text-heads', '4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^envision import: cannot write ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the folder [^\n]+ does not exist\n$`));
    expect(existsSync(join(dir, 'no-such-parent'))).toBe(false);
  });

  it('an output folder under a file (ENOTDIR): one line, exit 2', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = envision(['import', 'medclip', CHECKPOINT, '--vocab', VOCAB, '--out', join(file, 'bundle'), '--text-heads', '4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^envision import: cannot write [^\n]*a-file\/bundle: the folder [^\n]*a-file does not exist\n$/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it.each([
    ['an empty vocabulary', '', /empty\.txt is not a BERT vocabulary \(one WordPiece token per line\): it has no \[PAD\], \[UNK\], \[CLS\], \[SEP\]$/],
    ['/etc/passwd as the vocabulary', 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n', /passwd\.txt is not a BERT vocabulary .*it has no \[PAD\]/],
    ['a vocabulary with a line of words', '[PAD]\n[UNK]\n[CLS]\n[SEP]\nlung\ntwo words\n', /words\.txt: line 6 is not a WordPiece token \(empty or with white space\)/],
  ])('%s', (label, content, message) => {
    const vocab = join(dir, `${label.includes('passwd') ? 'passwd' : label.includes('empty') ? 'empty' : 'words'}.txt`);
    writeFileSync(vocab, content);
    const out = join(dir, 'from-vocab');
    const r = envision(['import', 'medclip', CHECKPOINT, '--vocab', vocab, '--out', out, '--text-heads', '4']);
    expect(r.code).toBe(2);
    expect(r.stderr.slice(0, -1)).not.toContain('\n');
    expect(r.stderr.slice(0, -1)).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('a zip bomb (a small download declaring a huge pytorch_model.bin) is refused before it is inflated', () => {
    const file = join(dir, 'bomb.zip');
    writeFileSync(file, writeZip([{ name: 'pytorch_model.bin', data: new Uint8Array(64 << 20), deflate: true }]));
    const out = join(dir, 'from-bomb');
    const r = envision(['import', 'medclip', file, '--vocab', VOCAB, '--out', out, '--text-heads', '4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bomb\.zip: entry 'pytorch_model\.bin' would inflate \d+ bytes to 67108864 \(more than 200:1\): not a checkpoint/);
    expect(existsSync(out)).toBe(false);
  });
});

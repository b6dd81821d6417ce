import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEnvisionError, maxRelativeError, tensor } from '@envision/core';
import { loadBundle } from '@envision/adapter-medclip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCommand, importHelp } from '../../packages/cli/src/commands/import.js';
import type { CommandIO } from '../../packages/cli/src/io.js';
import { writeZip } from '../../packages/import/src/checkpoint/zip-write.js';
import { root } from './cli.js';

// fixtures/checkpoints: a reduced MedCLIP-ResNet checkpoint (a zip holding pytorch_model.bin) and float64 torch
// embeddings, from scripts/dev/make_medclip_checkpoints.py.
const CHECKPOINTS = join(root, 'fixtures/checkpoints');
const CHECKPOINT = join(CHECKPOINTS, 'medclip-resnet-tiny.zip');
const VOCAB = join(CHECKPOINTS, 'vocab.txt');
const ref = JSON.parse(readFileSync(join(CHECKPOINTS, 'reference.json'), 'utf8')) as {
  texts: { ids: number[][]; mask: number[][]; embeddings: number[][] }[];
};

/** Runs the command in-process as `main` would: an EnvisionError becomes one line on stderr and exit code 2. */
async function run(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false };
  try {
    return { code: await importCommand(argv, io), stdout, stderr };
  } catch (e) {
    if (!isEnvisionError(e)) throw e;
    return { code: 2, stdout, stderr: stderr + `envision import: ${e.message.split('\n')[0]} [${e.code}]\n` };
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envision-import-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('envision import medclip', () => {
  it('imports the checkpoint into a bundle that loads and matches torch', async () => {
    const out = join(dir, 'bundle');
    const r = await run(['medclip', CHECKPOINT, '--vocab', VOCAB, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^envision import: wrote .*bundle \(MedCLIP resnet, 179 tensors, embeddingDim 64, logitScale 3\.218875\d*; vision\.onnx [\d.]+ MB, text\.onnx [\d.]+ MB, [\d.]+ s\)\n$/);
    const bundle = await loadBundle(out);
    try {
      const batch = ref.texts[1]!;
      const [B, L] = [batch.ids.length, batch.ids[0]!.length];
      const feeds = {
        input_ids: tensor('int64', [B, L], BigInt64Array.from(batch.ids.flat(), BigInt)),
        attention_mask: tensor('int64', [B, L], BigInt64Array.from(batch.mask.flat(), BigInt)),
      };
      const got = (await bundle.text.run(feeds)).text_embeds!;
      expect(maxRelativeError(got, batch.embeddings.flat())).toBeLessThan(1e-4);
    } finally {
      await Promise.all([bundle.vision.dispose(), bundle.text.dispose()]);
    }
  });

  it('accepts --variant, --text-heads and --lowercase', async () => {
    const out = join(dir, 'heads');
    expect((await run(['medclip', CHECKPOINT, '--vocab', VOCAB, '--out', out, '--variant', 'resnet', '--text-heads', '2', '--lowercase'])).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'envision.json'), 'utf8'));
    expect(manifest.variant).toBe('resnet');
    expect(manifest.tokenizer.lowercase).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'bundle', 'envision.json'), 'utf8')).tokenizer.lowercase).toBe(false); // the default
  });

  it('fails in one line and writes nothing for a truncated checkpoint', async () => {
    const cut = join(dir, 'cut.zip');
    const bytes = readFileSync(CHECKPOINT);
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    const out = join(dir, 'from-cut');
    const r = await run(['medclip', cut, '--vocab', VOCAB, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`envision import: ${cut} is not a complete zip archive (no end-of-central-directory record): the file is truncated or corrupt [E_FILE]\n`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('refuses a hostile pickle, naming the global, executes nothing and writes nothing', async () => {
    const marker = join(dir, 'pwned');
    const enc = new TextEncoder();
    const cmd = enc.encode(`touch ${marker}`);
    const pickle = Uint8Array.from([0x80, 2, 0x63, ...enc.encode('os\nsystem\n'), 0x58, cmd.length, 0, 0, 0, ...cmd, 0x85, 0x52, 0x2e]);
    const evil = join(dir, 'evil.bin');
    writeFileSync(evil, writeZip([{ name: 'archive/data.pkl', data: pickle }]));
    const out = join(dir, 'from-evil');
    const r = await run(['medclip', evil, '--vocab', VOCAB, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`envision import: ${evil}: archive/data.pkl: unsupported global 'os.system' in data.pkl: a state dict needs only OrderedDict and torch tensors [E_BUNDLE]\n`);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('reports usage errors and prints its help', async () => {
    expect((await run(['blip', CHECKPOINT])).stderr).toContain("unknown model kind 'blip': use envision import medclip CHECKPOINT … or envision import clip SOURCE …"); // clip is a kind since issue 15
    expect((await run(['medclip', CHECKPOINT, '--out', join(dir, 'x')])).stderr).toContain('--vocab is required');
    expect((await run(['medclip', CHECKPOINT, '--vocab', VOCAB, '--out', join(dir, 'x'), '--variant', 'swin'])).stderr).toContain('--variant must be vit or resnet');
    expect((await run(['medclip', CHECKPOINT, '--vocab', VOCAB, '--out', join(dir, 'x'), '--text-heads', '0'])).stderr).toContain('--text-heads must be a positive integer');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(importHelp + '\n');
  });
});

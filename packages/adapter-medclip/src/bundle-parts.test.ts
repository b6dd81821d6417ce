import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundlePreprocessOptions, loadBundleTokenizer } from './bundle-parts.js';
import { readManifest } from './manifest.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/tiny-medclip', import.meta.url));

describe('bundle parts', () => {
  it('loads the tokenizer alone, as the full bundle would', async () => {
    const tokenizer = await loadBundleTokenizer(FIXTURE);
    const ref = JSON.parse(readFileSync(join(FIXTURE, 'reference.json'), 'utf8')) as { classes: Record<string, { prompts: string[]; input_ids: number[][] }> };
    const c = ref.classes['Atelectasis']!;
    expect(Array.from(tokenizer.encodeBatch(c.prompts).ids.data, Number)).toEqual(c.input_ids.flat());
  });

  it('derives the preprocessing from the manifest', async () => {
    const manifest = await readManifest(FIXTURE);
    expect(bundlePreprocessOptions(manifest, 5)).toMatchObject({ size: 224, resample: 'bicubic', channels: 3, limitInputPixels: 5 });
  });

  it('names a missing vocabulary and one outside the bundle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envision-parts-'));
    cpSync(FIXTURE, dir, { recursive: true });
    rmSync(join(dir, 'vocab.txt'));
    await expect(loadBundleTokenizer(dir)).rejects.toThrow(/tokenizer\.vocab names .*vocab\.txt, which does not exist/);
    const manifest = JSON.parse(readFileSync(join(dir, 'envision.json'), 'utf8')) as { tokenizer: { vocab: string } };
    manifest.tokenizer.vocab = '../vocab.txt';
    writeFileSync(join(dir, 'envision.json'), JSON.stringify(manifest));
    await expect(loadBundleTokenizer(dir)).rejects.toThrow("tokenizer.vocab must name a file inside the bundle folder, got '../vocab.txt'");
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEnvisionError, readNpy, maxRelativeError } from '@envision/core';
import { MedClipAdapter, TextEmbeddingCache, chexpert5, samplePrompts } from '@envision/adapter-medclip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyCommand, classifyHelp } from '../../packages/cli/src/commands/classify.js';
import { embedCommand, embedHelp } from '../../packages/cli/src/commands/embed.js';
import { preprocessCommand, preprocessHelp } from '../../packages/cli/src/commands/preprocess.js';
import { tokenizeCommand, tokenizeHelp } from '../../packages/cli/src/commands/tokenize.js';
import type { CommandIO } from '../../packages/cli/src/io.js';
import { envision, root } from './cli.js';

// fixtures/tiny-medclip: MedCLIP's architecture at a tiny size, with torch's outputs (scripts/dev/make_medclip_fixture.py).
const BUNDLE = join(root, 'fixtures/tiny-medclip');
const IMAGE_A = join(root, 'fixtures/images/cxr-a.png');
const IMAGE_B = join(root, 'fixtures/images/cxr-b.png');
const DICOM = join(root, 'packages/image/test-fixtures/dicom-mono1-u16-window.dcm');
const JPEG_DICOM = join(root, 'packages/image/test-fixtures/dicom-jpeg-baseline.dcm');

interface Reference {
  image_embeds: number[][];
  classes: Record<string, { prompts: string[]; input_ids: number[][]; attention_mask: number[][]; text_embeds: number[][] }>;
  logits: { max: number[][]; mean: number[][] };
}
const ref = JSON.parse(readFileSync(join(BUNDLE, 'reference.json'), 'utf8')) as Reference;

type Command = (argv: readonly string[], io: CommandIO) => Promise<number>;
interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in-process as `main` would: an EnvisionError becomes one line on stderr and exit code 2. */
async function run(name: string, command: Command, argv: readonly string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false };
  try {
    return { code: await command(argv, io), stdout, stderr };
  } catch (e) {
    if (!isEnvisionError(e)) throw e;
    return { code: 2, stdout, stderr: stderr + `envision ${name}: ${e.message.split('\n')[0]}\n` };
  }
}


let dir: string;
let promptFile: string;
let adapter: MedClipAdapter;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'envision-medclip-cli-'));
  promptFile = join(dir, 'prompts.yaml');
  const classes = Object.entries(ref.classes).map(([name, c]) => `  ${name}:\n${c.prompts.map((p) => `    - ${JSON.stringify(p)}\n`).join('')}`);
  writeFileSync(promptFile, `classes:\n${classes.join('')}`);
  adapter = await MedClipAdapter.load(BUNDLE, { textCache: new TextEmbeddingCache() });
});
afterAll(async () => {
  await adapter.dispose();
});

describe('envision preprocess (in-process)', () => {
  it('writes float32 [1, 3, 224, 224], the adapter’s preprocessing', async () => {
    const out = join(dir, 'a.npy');
    const r = await run('preprocess', preprocessCommand, ['--bundle', BUNDLE, '--image', IMAGE_A, '--out', out]);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toBe(`envision preprocess: wrote ${out} [1, 3, 224, 224] float32\n`);
    const got = await readNpy(out);
    expect(got.dtype).toBe('float32');
    expect(Array.from(got.data as Float32Array)).toEqual(Array.from((await adapter.preprocessImage(IMAGE_A)).data));
  });

  it('reads DICOM', async () => {
    const out = join(dir, 'dicom.npy');
    expect((await run('preprocess', preprocessCommand, ['--bundle', BUNDLE, '--image', DICOM, '--out', out])).code).toBe(0);
    expect((await readNpy(out)).shape).toEqual([1, 3, 224, 224]);
  });

  it('names a compressed DICOM transfer syntax in one line, exit 2', async () => {
    const r = await run('preprocess', preprocessCommand, ['--bundle', BUNDLE, '--image', JPEG_DICOM, '--out', join(dir, 'x.npy')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^envision preprocess: cannot read image .*: DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.50 \(JPEG Baseline \(Process 1\), a compressed transfer syntax\) is not supported; .*\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('usage errors: a missing flag, an unknown flag, a missing bundle', async () => {
    expect(await run('preprocess', preprocessCommand, ['--bundle', BUNDLE, '--image', IMAGE_A])).toMatchObject({
      code: 2,
      stderr: 'envision preprocess: --out is required (see envision preprocess --help)\n',
    });
    expect((await run('preprocess', preprocessCommand, ['--bogus'])).stderr).toMatch(/^envision preprocess: .*bogus.* \(see envision preprocess --help\)\n$/);
    const r = await run('preprocess', preprocessCommand, ['--bundle', join(dir, 'nope'), '--image', IMAGE_A, '--out', join(dir, 'y.npy')]);
    expect(r).toMatchObject({ code: 2, stderr: `envision preprocess: bundle folder ${join(dir, 'nope')} does not exist\n` });
  });

  it('prints its help', async () => {
    expect(await run('preprocess', preprocessCommand, ['--help'])).toMatchObject({ code: 0, stdout: preprocessHelp + '\n' });
  });
});

describe('envision tokenize (in-process)', () => {
  it('prints ids and mask of one padded batch as one JSON line', async () => {
    const c = ref.classes['Cardiomegaly']!;
    const r = await run('tokenize', tokenizeCommand, ['--bundle', BUNDLE, ...c.prompts.flatMap((p) => ['--prompt', p])]);
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('\n') && r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toEqual({ input_ids: c.input_ids, attention_mask: c.attention_mask });
    expect(Object.keys(JSON.parse(r.stdout) as object)).toEqual(['input_ids', 'attention_mask']);
  });

  it('needs a prompt', async () => {
    expect(await run('tokenize', tokenizeCommand, ['--bundle', BUNDLE])).toMatchObject({
      code: 2,
      stderr: 'envision tokenize: --prompt is required (see envision tokenize --help)\n',
    });
    expect((await run('tokenize', tokenizeCommand, ['-h'])).stdout).toBe(tokenizeHelp + '\n');
  });
});

describe('envision embed (in-process) matches torch', () => {
  it('--prompt …: one padded batch, unnormalised [K, M]', async () => {
    for (const c of Object.values(ref.classes)) {
      const out = join(dir, 'text.npy');
      const r = await run('embed', embedCommand, ['--bundle', BUNDLE, ...c.prompts.flatMap((p) => ['--prompt', p]), '--out', out]);
      expect(r.stderr).toBe(`envision embed: wrote ${out} [2, 64] float32, unnormalised (2 prompts as one padded batch)\n`);
      const got = await readNpy(out);
      expect(got.shape).toEqual([2, 64]);
      expect(maxRelativeError(got.data as Float32Array, c.text_embeds.flat())).toBeLessThan(1e-5);
    }
  });

  it('--image A --image B: one batch [2, M]', async () => {
    const out = join(dir, 'images.npy');
    const r = await run('embed', embedCommand, ['--bundle', BUNDLE, '--image', IMAGE_A, '--image', IMAGE_B, '--out', out, '--threads', '1']);
    expect(r.code).toBe(0);
    const got = await readNpy(out);
    expect(got.shape).toEqual([2, 64]);
    expect(maxRelativeError(got.data as Float32Array, ref.image_embeds.flat())).toBeLessThan(1e-5);
  });

  it('needs exactly one kind of input, and sane threads', async () => {
    const both = ['--bundle', BUNDLE, '--image', IMAGE_A, '--prompt', 'x', '--out', join(dir, 'z.npy')];
    expect(await run('embed', embedCommand, both)).toMatchObject({
      code: 2,
      stderr: 'envision embed: give either --image FILE or --prompt TEXT (repeatable), not both (see envision embed --help)\n',
    });
    expect((await run('embed', embedCommand, ['--bundle', BUNDLE, '--out', join(dir, 'z.npy')])).code).toBe(2);
    expect((await run('embed', embedCommand, ['--bundle', BUNDLE, '--prompt', 'x', '--out', join(dir, 'z.npy'), '--threads', '0'])).stderr).toBe(
      "envision embed: --threads must be an integer from 1 to 256, got '0'\n",
    );
    expect((await run('embed', embedCommand, ['--help'])).stdout).toBe(embedHelp + '\n');
  });
});

describe('envision classify (in-process)', () => {
  for (const ensemble of ['max', 'mean'] as const) {
    it(`--json with a YAML prompt file matches torch’s PromptClassifier (${ensemble})`, async () => {
      for (const [b, image] of [IMAGE_A, IMAGE_B].entries()) {
        const r = await run('classify', classifyCommand, ['--bundle', BUNDLE, '--image', image, '--prompts', promptFile, '--ensemble', ensemble, '--json']);
        expect(r.code).toBe(0);
        const out = JSON.parse(r.stdout) as { image: string; prompts: string; ensemble: string; classes: { name: string; logit: number; probability: number }[]; predicted: string };
        expect(Object.keys(out)).toEqual(['image', 'prompts', 'ensemble', 'classes', 'predicted']);
        expect(out).toMatchObject({ image, prompts: promptFile, ensemble });
        expect(out.classes.map((c) => c.name)).toEqual(Object.keys(ref.classes));
        for (const c of out.classes) expect(Object.keys(c)).toEqual(['name', 'logit', 'probability']);
        expect(maxRelativeError(out.classes.map((c) => c.logit), ref.logits[ensemble][b]!)).toBeLessThan(1e-5);
        const row = ref.logits[ensemble][b]!;
        expect(out.predicted).toBe(Object.keys(ref.classes)[row.indexOf(Math.max(...row))]);
        const z = row.reduce((s, v) => s + Math.exp(v), 0);
        out.classes.forEach((c, i) => expect(c.probability).toBeCloseTo(Math.exp(row[i]!) / z, 5));
      }
    });
  }

  it('defaults to chexpert5 and max, and prints a table', async () => {
    const r = await run('classify', classifyCommand, ['--bundle', BUNDLE, '--image', IMAGE_A]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`image     ${IMAGE_A}`);
    expect(lines[1]).toBe('prompts   chexpert5 (489 prompts), ensemble max, temperature 14.2857');
    expect(lines[3]).toMatch(/^class\s+logit\s+softmax$/);
    expect(lines.slice(4, 9).map((l) => l.replace(/\s+-?\d+\.\d{4}\s+\d\.\d{4}$/, ''))).toEqual(Object.keys(chexpert5));
    expect(lines[10]).toMatch(/^predicted (Atelectasis|Cardiomegaly|Consolidation|Edema|Pleural Effusion)$/);
  });

  it('samples N prompts per class with a seed, as samplePrompts does', async () => {
    const args = ['--bundle', BUNDLE, '--image', IMAGE_A, '--n', '3', '--seed', '7', '--json'];
    const a = await run('classify', classifyCommand, args);
    const b = await run('classify', classifyCommand, args);
    expect(a.stdout).toBe(b.stdout);
    // the same as classifying the sampled set written to a file
    const sampled = samplePrompts(chexpert5, 3, 7);
    const file = join(dir, 'sampled.yaml');
    writeFileSync(file, `classes:\n${Object.entries(sampled).map(([k, v]) => `  ${k}:\n${v.map((p) => `    - ${JSON.stringify(p)}\n`).join('')}`).join('')}`);
    const c = await run('classify', classifyCommand, ['--bundle', BUNDLE, '--image', IMAGE_A, '--prompts', file, '--json']);
    expect((JSON.parse(a.stdout) as { classes: unknown }).classes).toEqual((JSON.parse(c.stdout) as { classes: unknown }).classes);
    const table = await run('classify', classifyCommand, ['--bundle', BUNDLE, '--image', IMAGE_A, '--n', '3', '--seed', '7', '--prompts', 'covid']);
    expect(table.stdout).toContain('prompts   covid (4 prompts, 3 per class sampled with seed 7), ensemble max');
  });

  it('reads DICOM images', async () => {
    const r = await run('classify', classifyCommand, ['--bundle', BUNDLE, '--image', DICOM, '--prompts', 'labels', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { classes: unknown[] }).classes).toHaveLength(5);
  });

  it('usage errors in one line, exit 2', async () => {
    const base = ['--bundle', BUNDLE, '--image', IMAGE_A];
    const cases: [string[], string][] = [
      [['--prompts', 'chexpert'], "--prompts must be chexpert5, covid, rsna, labels or a YAML file, got 'chexpert' (no such file)"],
      [['--ensemble', 'sum'], "--ensemble must be max or mean, got 'sum'"],
      [['--n', '0'], "--n must be an integer ≥ 1, got '0'"],
      [['--seed', '3'], '--seed needs --n N (the number of prompts sampled per class)'],
      [['--prompts', join(dir, 'missing.yaml')], `cannot read prompt file ${join(dir, 'missing.yaml')}: no such file`],
    ];
    for (const [extra, message] of cases) {
      expect(await run('classify', classifyCommand, [...base, ...extra])).toMatchObject({ code: 2, stderr: `envision classify: ${message}\n` });
    }
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'classes:\n  A: []\n');
    expect((await run('classify', classifyCommand, [...base, '--prompts', bad])).stderr).toBe(
      `envision classify: ${bad}:2:6: classes.A must be a non-empty list of prompts\n`,
    );
    expect((await run('classify', classifyCommand, ['--help'])).stdout).toBe(classifyHelp + '\n');
  });
});

// The built binary: these run once main.ts registers the four commands.
const registered = envision(['--help']).stdout.includes('preprocess');

describe('the envision binary', () => {
  it.skipIf(!registered)('preprocess writes [1, 3, 224, 224]', async () => {
    const out = join(dir, 'bin-a.npy');
    const r = envision(['preprocess', '--bundle', BUNDLE, '--image', IMAGE_A, '--out', out]);
    expect(r.code).toBe(0);
    expect((await readNpy(out)).shape).toEqual([1, 3, 224, 224]);
  });

  it.skipIf(!registered)('tokenize prints the JSON batch', () => {
    const c = ref.classes['Atelectasis']!;
    const r = envision(['tokenize', '--bundle', BUNDLE, ...c.prompts.flatMap((p) => ['--prompt', p])]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ input_ids: c.input_ids, attention_mask: c.attention_mask });
  });

  it.skipIf(!registered)('embed matches torch', async () => {
    const c = ref.classes['Pleural Effusion']!;
    const out = join(dir, 'bin-text.npy');
    expect(envision(['embed', '--bundle', BUNDLE, ...c.prompts.flatMap((p) => ['--prompt', p]), '--out', out]).code).toBe(0);
    expect(maxRelativeError((await readNpy(out)).data as Float32Array, c.text_embeds.flat())).toBeLessThan(1e-5);
  });

  it.skipIf(!registered)('classify --json matches torch', () => {
    const r = envision(['classify', '--bundle', BUNDLE, '--image', IMAGE_B, '--prompts', promptFile, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { classes: { logit: number }[] };
    expect(maxRelativeError(out.classes.map((c) => c.logit), ref.logits.max[1]!)).toBeLessThan(1e-5);
  });

  it.skipIf(!registered)('a compressed DICOM is one line on stderr and exit 2', () => {
    const r = envision(['preprocess', '--bundle', BUNDLE, '--image', JPEG_DICOM, '--out', join(dir, 'bin-x.npy')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^envision preprocess: cannot read image .*JPEG Baseline \(Process 1\).*\n$/);
  });
});

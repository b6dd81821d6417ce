// The fuzzed file kinds: how a case's input is mutated (deterministically from its seed), which command reads it and
// what a valid output looks like. Used by test/src/fuzz.test.ts.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../cli.js';
import { checkNpy, filesUnder, judge, runInProcess, type Verdict } from './harness.js';
import {
  Rng,
  bitFlip,
  byteMutation,
  caseSeed,
  insertBytes,
  jsonEdit,
  npyHeaderEdit,
  onnxHeaderEdit,
  pngHeaderEdit,
  toYaml,
  truncate,
  yamlTextEdit,
  type Mutant,
} from './mutate.js';

export const PNG = join(root, 'fixtures/images/cxr-a.png');
export const BUNDLE = join(root, 'fixtures/tiny-medclip');
export const MODEL = join(root, 'fixtures/occlusion/encoder.onnx');
export const X = join(root, 'fixtures/occlusion/x.npy');

/** One case of a kind: the mutation, and how it ended. */
export interface CaseResult {
  index: number;
  seed: number;
  desc: string;
  args: string[];
  code: number;
  stderr: string;
  verdict: Verdict;
}

/** A fuzzed file kind. */
export interface Kind {
  name: string;
  /** Base seed: case i uses caseSeed(seed, i). */
  seed: number;
  /**
   * Makes case `index` in `dir` (an empty folder of its own) and returns its command and checks. Case 0 is the
   * unmutated file (a control: it must exit 0).
   */
  prepare(rng: Rng, index: number, dir: string): Promise<Prepared> | Prepared;
  /**
   * `// KNOWN:` exclusions: a mutation this returns a reason for is not run (it breaks the promise today; see the
   * report of the fuzz test). Returns undefined to run the case.
   */
  known?: (desc: string, args: readonly string[]) => string | undefined;
  /**
   * `// KNOWN:` removes known extra output from an exit-2 case's stderr (in process and from the built binary) before
   * it is judged; a case whose stderr it changed is listed in `tolerated`.
   */
  knownStderr?: (stderr: string) => string;
}

export interface Prepared {
  desc: string;
  args: string[];
  /** The folder the command writes to (checked for leftovers), and the files there that are inputs. */
  outDir: string;
  allowed: string[];
  validOutput: () => string | undefined;
  issueLines?: boolean;
}

/**
 * Runs cases [0, n) of a kind in this process, then re-runs every exit-2 case in one spawned node process running the
 * built CLI (test/src/fuzz/batch-child.mjs), where what onnxruntime prints natively to stderr is seen too. Every
 * case's folder is removed after it is judged.
 */
export async function runKind(kind: Kind, n: number, base: string, timeoutMs = 20_000): Promise<{ results: CaseResult[]; skipped: { index: number; desc: string; reason: string }[]; tolerated: CaseResult[] }> {
  const tolerated: CaseResult[] = [];
  const results: CaseResult[] = [];
  const skipped: { index: number; desc: string; reason: string }[] = [];
  const recheck: { result: CaseResult; p: Prepared; dir: string }[] = [];
  for (let index = 0; index < n; index++) {
    const seed = caseSeed(kind.seed, index);
    const dir = join(base, kind.name, String(index));
    mkdirSync(dir, { recursive: true });
    const p = await kind.prepare(new Rng(seed), index, dir);
    const reason = kind.known?.(p.desc, p.args);
    if (reason !== undefined) {
      skipped.push({ index, desc: p.desc, reason });
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const r = await runInProcess(p.args, timeoutMs);
    const cleaned = r.code === 2 && kind.knownStderr ? kind.knownStderr(r.stderr) : r.stderr;
    const verdict = judge({ ...r, stderr: cleaned }, p.outDir, p.allowed, p.validOutput, p.issueLines);
    const result: CaseResult = { index, seed, desc: p.desc, args: p.args, code: r.code, stderr: r.crash ?? r.stderr, verdict };
    results.push(result);
    if (cleaned !== r.stderr) tolerated.push(result);
    if (verdict.outcome === 2) recheck.push({ result, p, dir });
    else rmSync(dir, { recursive: true, force: true });
  }
  if (recheck.length > 0) {
    const child = spawnSync(process.execPath, [join(root, 'test/src/fuzz/batch-child.mjs')], {
      cwd: root,
      input: JSON.stringify(recheck.map((c) => c.p.args)),
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let codes: number[] = [];
    try {
      codes = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '[]') as number[];
    } catch {
      codes = [];
    }
    const segments = new Map<number, string>();
    const parts = (child.stderr ?? '').split(/\u0001(case \d+|end)\n/);
    for (let k = 1; k + 1 < parts.length; k += 2) {
      const m = /^case (\d+)$/.exec(parts[k]!);
      if (m) segments.set(Number(m[1]), parts[k + 1]!);
    }
    recheck.forEach((c, j) => {
      const died = codes[j] === undefined ? `the batch process ended early (status ${child.status}, signal ${child.signal}, error ${child.error?.message ?? 'none'})` : undefined;
      const raw = segments.get(j) ?? '';
      const stderr = codes[j] === 2 && kind.knownStderr ? kind.knownStderr(raw) : raw;
      if (stderr !== raw && !tolerated.includes(c.result)) tolerated.push({ ...c.result, stderr: raw });
      const outcome = { code: codes[j] ?? -1, stdout: '', stderr, ...(died ? { crash: died } : {}) };
      const v = judge(outcome, c.p.outDir, c.p.allowed, c.p.validOutput, c.p.issueLines);
      if (v.outcome !== 2) {
        c.result.verdict = { outcome: 'fail', problem: `built binary: ${v.outcome === 0 ? 'exit 0' : v.problem}` };
        c.result.code = outcome.code;
        c.result.stderr = died ?? outcome.stderr;
      }
      rmSync(c.dir, { recursive: true, force: true });
    });
  }
  return { results, skipped, tolerated };
}

const unmutated = (bytes: Uint8Array): Mutant => ({ bytes, desc: 'unmutated' });

/** PNG → `preprocess --bundle fixtures/tiny-medclip`. */
export const pngKind: Kind = {
  name: 'png',
  seed: 0x0b5e55ed,
  prepare(rng, index, dir) {
    const base = readFileSync(PNG);
    const m = index === 0 ? unmutated(base) : rng.chance(0.45) ? pngHeaderEdit(rng, base) : byteMutation(rng, base, 41);
    const image = join(dir, 'in.png');
    writeFileSync(image, m.bytes);
    const out = join(dir, 'out.npy');
    return {
      desc: m.desc,
      args: ['preprocess', '--bundle', BUNDLE, '--image', image, '--out', out],
      outDir: dir,
      allowed: ['in.png', 'out.npy'],
      validOutput: () => checkNpy(out, [1, 3, 224, 224]),
    };
  },
};

const attributeArgs = (model: string, x: string, out: string) => ['attribute', '--model', model, '--input', `x=${x}`, '--of', 'y', '--wrt', 'x', '--method', 'saliency', '--target', '0', '--out', out];

/**
 * One mutated input of `attribute --model fixtures/occlusion/encoder.onnx --input x=fixtures/occlusion/x.npy … --method
 * saliency`: the npy (header edits 55 %) or the ONNX model (header edits 60 %), the other file as it is.
 */
function attributeKind(name: 'npy' | 'onnx', seed: number): Kind {
  const [original, file, headerShare, header, span] = name === 'npy' ? [X, 'x.npy', 0.55, npyHeaderEdit, 128] : [MODEL, 'model.onnx', 0.6, onnxHeaderEdit, 256];
  return {
    name,
    seed,
    prepare(rng, index, dir) {
      const base = readFileSync(original);
      const m = index === 0 ? unmutated(base) : rng.chance(headerShare) ? header(rng, base) : byteMutation(rng, base, span);
      const mutated = join(dir, file);
      writeFileSync(mutated, m.bytes);
      const out = join(dir, 'out.npy');
      const args = name === 'npy' ? attributeArgs(MODEL, mutated, out) : attributeArgs(mutated, X, out);
      return { desc: m.desc, args, outDir: dir, allowed: [file, 'out.npy'], validOutput: () => checkNpy(out, [1, 3, 16, 16]) };
    },
  };
}

/** npy → attribute. */
export const npyKind: Kind = attributeKind('npy', 0x00c0ffee);
/** ONNX → the same attribute command. */
export const onnxKind: Kind = attributeKind('onnx', 0x0dd0a11e);

/** The base experiment: output first (so byte mutations after it cannot move the output folder out of the case's). */
function experiment(): Record<string, unknown> {
  return {
    output: { dir: 'out', signs: ['all'] },
    model: { adapter: 'medclip', bundle: BUNDLE },
    images: [PNG],
    methods: [{ id: 'saliency' }],
    targets: [{ name: 'dims', dimensions: [0] }],
    strategy: 'direct',
  };
}

/** A run's output: manifest.json and its maps. */
function checkRun(dir: string): string | undefined {
  const manifestFile = filesUnder(dir).find((f) => f.endsWith('manifest.json'));
  if (manifestFile === undefined) return 'no manifest.json';
  const outDir = join(dir, manifestFile, '..');
  let manifest: { format?: string; items?: { npy: string }[] };
  try {
    manifest = JSON.parse(readFileSync(join(dir, manifestFile), 'utf8'));
  } catch (e) {
    return `manifest.json does not parse: ${String(e)}`;
  }
  if (manifest.format !== 'envision-run/1' || !Array.isArray(manifest.items) || manifest.items.length === 0) return 'manifest.json has no items';
  for (const item of manifest.items) {
    let problem = checkNpy(join(outDir, item.npy), [-1, 3, 224, 224]);
    // strategy auto (the default) writes channel-reduced maps [K, H, W] for saliency
    if (problem !== undefined && /expected/.test(problem)) problem = checkNpy(join(outDir, item.npy), [-1, 224, 224]);
    if (problem !== undefined) return `${item.npy}: ${problem}`;
  }
  return undefined;
}

/** YAML experiment → `run` (tiny-medclip, one image, saliency, strategy direct). */
export const yamlKind: Kind = {
  name: 'yaml',
  seed: 0x7a6d6c01,
  prepare(rng, index, dir) {
    const doc = experiment();
    let text = toYaml(doc as never);
    let desc = 'unmutated';
    if (index > 0) {
      const which = rng.next();
      if (which < 0.4) {
        const e = jsonEdit(rng, doc as never, (p) => p[0] === 'output' && p[1] === 'dir');
        text = toYaml(e.doc);
        desc = e.desc;
      } else if (which < 0.7) {
        const e = yamlTextEdit(rng, text);
        text = e.text;
        desc = e.desc;
      } else {
        // byte mutations only after the output section (truncation anywhere): the output folder stays the case's
        const bytes = new Uint8Array(Buffer.from(text));
        const from = text.indexOf('\nmodel:') + 1;
        const k = rng.int(3);
        const m = k === 0 ? bitFlip(rng, bytes, 64, from) : k === 1 ? truncate(rng, bytes) : insertBytes(rng, bytes, from);
        text = Buffer.from(m.bytes).toString('latin1');
        desc = m.desc;
      }
    }
    const file = join(dir, 'exp.yaml');
    writeFileSync(file, text, 'latin1');
    return {
      desc,
      args: ['run', file],
      outDir: dir,
      allowed: ['exp.yaml'],
      validOutput: () => checkRun(dir),
      // run prints every problem of an invalid experiment, one `FILE:LINE:COL path message` line each (its --help)
      issueLines: true,
    };
  },
};

/** A bundle's envision.json → `preprocess --bundle` (2 cases in 3) or `embed --bundle` (1 in 3). */
export const bundleKind: Kind = {
  name: 'bundle',
  seed: 0x0b0dd1e5,
  prepare(rng, index, dir) {
    // each case has its own copy of the bundle (1.3 MB), with its own envision.json
    const bundle = join(dir, 'bundle');
    mkdirSync(bundle);
    for (const f of ['text.onnx', 'vision.onnx', 'vocab.txt']) cpSync(join(BUNDLE, f), join(bundle, f));
    const json = JSON.parse(readFileSync(join(BUNDLE, 'envision.json'), 'utf8'));
    let text = JSON.stringify(json, null, 1);
    let desc = 'unmutated';
    if (index > 0) {
      if (rng.chance(0.65)) {
        const e = jsonEdit(rng, json);
        text = JSON.stringify(e.doc, null, 1);
        desc = e.desc;
      } else {
        const m = byteMutation(rng, new Uint8Array(Buffer.from(text)), 600);
        text = Buffer.from(m.bytes).toString('latin1');
        desc = m.desc;
      }
    }
    writeFileSync(join(bundle, 'envision.json'), text, 'latin1');
    const out = join(dir, 'out', 'out.npy');
    mkdirSync(join(dir, 'out'));
    const embed = index % 3 === 0;
    return {
      desc: `${embed ? 'embed' : 'preprocess'}: ${desc}`,
      args: embed ? ['embed', '--bundle', bundle, '--image', PNG, '--out', out] : ['preprocess', '--bundle', bundle, '--image', PNG, '--out', out],
      outDir: join(dir, 'out'),
      allowed: ['out.npy'],
      validOutput: () => checkNpy(out, embed ? [1, -1] : [1, -1, -1, -1]),
    };
  },
};

export const KINDS = [pngKind, npyKind, onnxKind, yamlKind, bundleKind];

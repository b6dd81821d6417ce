import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { maxRelativeError, readNpy } from '@envision/core';
import { envision, root } from './cli.js';

// The guides' complete examples, run as a user would: each code block marked `<!-- guide-example: KIND FILE -->` in
// docs/plugins/KIND.md is written as FILE of a package in a temporary project, which is then type-checked (the JSDoc
// types against @envision/core's), loaded into a registry, run through the check kits, its own tests (node --test,
// against the torch references the guides' Python scripts wrote) and the experiment it ships, with the CLI.

const KINDS = ['method', 'fusion', 'adapter'] as const;
type Kind = (typeof KINDS)[number];

/** The marked code blocks of a guide: file → code. */
function guideExamples(markdown: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of markdown.matchAll(/<!-- guide-example: (\S+) (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)) files.set(`${m[1]} ${m[2]}`, m[3]! + '\n');
  return files;
}

const project = join(root, 'test', `.tmp-guides-${process.pid}`);
const packages = {} as Record<Kind, { name: string; dir: string; files: string[] }>;

/** The torch references each package's test/torch.test.js reads from reference/. */
function copyReferences(kind: Kind, dir: string): void {
  const reference = join(dir, 'reference');
  if (kind !== 'adapter') return cpSync(join(root, 'fixtures/guides', kind), reference, { recursive: true });
  mkdirSync(reference, { recursive: true });
  cpSync(join(root, 'fixtures/tiny-dual/reference.json'), join(reference, 'embeddings.json'));
  cpSync(join(root, 'fixtures/tiny-dual/reference_pixels.npy'), join(reference, 'pixels.npy'));
  cpSync(join(root, 'fixtures/images/cxr-a.png'), join(reference, 'image.png'));
}

beforeAll(() => {
  rmSync(project, { recursive: true, force: true });
  for (const kind of KINDS) {
    const examples = guideExamples(readFileSync(join(root, 'docs/plugins', `${kind}.md`), 'utf8'));
    const own = [...examples].filter(([key]) => key.startsWith(`${kind} `)).map(([key, code]) => [key.slice(kind.length + 1), code] as const);
    const name = (JSON.parse(own.find(([file]) => file === 'package.json')?.[1] ?? '{}') as { name?: string }).name ?? `missing-${kind}`;
    const dir = join(project, 'node_modules', name);
    for (const [file, code] of own) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), code);
    }
    // The demo model and image the templates ship beside their example experiment.
    cpSync(join(root, 'fixtures/tiny-dual'), join(dir, 'example/model'), { recursive: true });
    cpSync(join(root, 'fixtures/images/cxr-a.png'), join(dir, 'example/chest-x-ray.png'));
    copyReferences(kind, dir);
    packages[kind] = { name, dir, files: own.map(([file]) => file) };
  }
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

/**
 * Runs an ES module in the project, as a plugin's user would run it: a plain `node` whose `@envision/core` is the built
 * package (this vitest process resolves the workspace packages to their TypeScript sources, which Node cannot import).
 * The module prints one JSON value.
 */
function inProject(name: string, code: string): unknown {
  const file = join(project, `${name}.mjs`);
  writeFileSync(file, code);
  const r = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

/** The import lines of the three examples, for the modules run in the project. */
const imports = () => `
import { PluginRegistry, checkAdapter, checkFusion, checkMethod, loadPlugins, maxRelativeError, readNpy, tensor } from '@envision/core';
import { inputXGradient } from '${pathToFileURL(join(packages.method.dir, 'index.js')).href}';
import { margin } from '${pathToFileURL(join(packages.fusion.dir, 'index.js')).href}';
import { marginOverLogits } from '${pathToFileURL(join(packages.fusion.dir, 'margin-logits.js')).href}';
import { miniDual } from '${pathToFileURL(join(packages.adapter.dir, 'index.js')).href}';
`;

describe('the plugin guides', () => {
  it('each holds a complete example: package.json, the plugin, a kit test, a torch test and an experiment', () => {
    for (const kind of KINDS) {
      expect(packages[kind].files).toEqual(expect.arrayContaining(['package.json', 'index.js', 'test/kit.test.js', 'test/torch.test.js', 'example/experiment.yaml']));
      expect(packages[kind].name).toBe({ method: 'envision-method-input-times-gradient', fusion: 'envision-fusion-margin', adapter: 'envision-adapter-mini-dual' }[kind]);
    }
  });

  it("type-check against @envision/core's types (checkJs, strict)", () => {
    const files = KINDS.flatMap((kind) => packages[kind].files.filter((f) => f.endsWith('.js') && !f.startsWith('test/')).map((f) => join(packages[kind].dir, f)));
    const compilerOptions = { allowJs: true, checkJs: true, noEmit: true, strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: true, types: ['node'] };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
    const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(project, 'tsconfig.json')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('load by package name into a registry (loadPlugins, addPackage), in the plain-object form, with no warning', () => {
    const names = KINDS.map((kind) => packages[kind].name);
    const out = inProject(
      'registry',
      `${imports()}
const warnings = [];
const registry = new PluginRegistry({ onWarning: (w) => warnings.push(w) });
await loadPlugins(registry, ${JSON.stringify(names)}.map((name) => [name, process.cwd()]));
const again = new PluginRegistry();
again.addPackage((await import('${pathToFileURL(join(packages.fusion.dir, 'index.js')).href}')).default, 'envision-fusion-margin');
console.log(JSON.stringify({ methods: registry.has('method', 'input-times-gradient'), fusions: registry.has('fusion', 'margin'), adapters: registry.has('adapter', 'mini-dual'), packages: registry.packages(), warnings, again: again.ids('fusion') }));
`,
    );
    expect(out).toEqual({
      methods: true,
      fusions: true,
      adapters: true,
      packages: Object.fromEntries(names.map((n) => [n, '0.1.0'])),
      warnings: [],
      again: ['margin'],
    });
  });

  it('pass their check kits, and the kits fail broken copies of them (so passing means something)', () => {
    const example = join(packages.adapter.dir, 'example');
    const out = inProject(
      'kits',
      `${imports()}
const names = (results) => results.filter((r) => r.ok).map((r) => r.name);
const failure = async (f) => { try { await f(); return ''; } catch (e) { return e.code + ' ' + e.message; } };
const method = names(await checkMethod(inputXGradient));
const fusion = ['max', 'mean'].map((against) => names(checkFusion(margin, { options: { against } })));
const adapter = names(await checkAdapter(miniDual, { ...miniDual.meta.defaultOptions, dir: 'model' }, { baseDir: ${JSON.stringify(example)}, image: ${JSON.stringify(join(example, 'chest-x-ray.png'))} }));
const squared = { ...inputXGradient, async attribute(request) { const { maps } = await inputXGradient.attribute(request); return { maps: tensor('float32', maps.shape, maps.data.map((v) => v * Math.abs(v))) }; } };
const halved = { ...margin, cotangents(input) { const c = margin.cotangents(input); return tensor('float32', c.shape, c.data.map((v) => v / 2)); } };
console.log(JSON.stringify({ method, fusion, adapter, squared: await failure(() => checkMethod(squared)), halved: await failure(() => checkFusion(halved)) }));
`,
    ) as { method: string[]; fusion: string[][]; adapter: string[]; squared: string; halved: string };
    expect(out.method).toEqual(expect.arrayContaining(['maps', 'deterministic', 'linear', 'vjp']));
    for (const fusion of out.fusion) expect(fusion).toEqual(expect.arrayContaining(['finite differences', 'finite differences with groups']));
    expect(out.adapter).toEqual(expect.arrayContaining(['load', 'preprocessImage', 'encodeImage', 'image batch', 'vjp', 'encodeText', 'text batch', 'logitScale', 'dispose']));
    expect(out.squared).toMatch(/^E_CHECK .*linear/);
    expect(out.halved).toMatch(/^E_CHECK .*finite differences/);
  });

  it("the margin on core's logits() helper gives the margin rule's numbers (a bias cancels)", () => {
    const references = join(root, 'fixtures/guides/fusion');
    const out = inProject(
      'logits',
      `${imports()}
const input = { imageEmbedding: (await readNpy(${JSON.stringify(join(references, 'e.npy'))})).data, textEmbeddings: await readNpy(${JSON.stringify(join(references, 'texts.npy'))}), logitScale: Math.log(1 / 0.07), logitBias: 0.5 };
const a = { ...input, options: { logits: 'cosine' } };
const b = { ...input, options: { against: 'max' } };
console.log(JSON.stringify({
  scores: maxRelativeError(marginOverLogits.scores(a), margin.scores(b)),
  cotangents: maxRelativeError(marginOverLogits.cotangents(a), margin.cotangents(b)),
  dot: checkFusion(marginOverLogits, { options: { logits: 'dot' } }).every((r) => r.ok),
}));
`,
    ) as { scores: number; cotangents: number; dot: boolean };
    expect(out.scores).toBeLessThan(1e-5);
    expect(out.cotangents).toBeLessThan(1e-5);
    expect(out.dot).toBe(true);
  });

  for (const kind of KINDS) {
    it(`${kind}: its own tests pass (node --test: the kit, and torch's numbers)`, () => {
      const r = spawnSync(process.execPath, ['--test', 'test/kit.test.js', 'test/torch.test.js'], { cwd: packages[kind].dir, encoding: 'utf8' });
      expect(r.stdout).toMatch(/^# fail 0$/m);
      expect(r.stdout).toMatch(/^# pass [1-9]/m);
      expect(r.status).toBe(0);
    });
  }
});

describe('the guides’ experiments run with the CLI', () => {
  const run = (kind: Kind) => {
    const r = envision(['run', 'example/experiment.yaml', '--json'], packages[kind].dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = join(packages[kind].dir, 'runs/example');
    return { out, manifest: JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { model: { adapter: string; embeddingDim: number }; versions: Record<string, string>; items: { method: string; target: string; strategy: string; npy: string; scores: number[] }[] } };
  };
  const item = (items: ReturnType<typeof run>['manifest']['items'], method: string, target: string) => items.find((i) => i.method === method && i.target === target)!;
  // Torch references of the demo model (scripts/dev/make_fusion_fixtures.py): the gradients, with respect to the
  // preprocessed chest-x-ray.png, of the dot score τ⟨t̂_k, e⟩ and of the logit τ·cos(t_k, e) of the three prompts.
  const torch = async (file: string) => (await readNpy(join(root, 'fixtures/fusion', file))).data as Float32Array;

  it('method: input-times-gradient runs direct, and its maps are x ⊙ torch’s gradient of the dot scores', async () => {
    const { out, manifest } = run('method');
    expect(manifest.versions['envision-method-input-times-gradient']).toBe('0.1.0');
    const ixg = item(manifest.items, 'input-times-gradient', 'findings');
    expect(ixg.strategy).toBe('direct');
    const maps = await readNpy(join(out, ixg.npy));
    const x = (await readNpy(join(root, 'fixtures/tiny-dual/reference_pixels.npy'))).data as Float32Array;
    const gradient = await torch('dot_saliency.npy');
    const expected = gradient.map((g, i) => g * x[i % x.length]!);
    expect(maps.shape).toEqual([3, 3, 224, 224]);
    expect(maxRelativeError(maps.data as Float32Array, expected)).toBeLessThan(1e-4);
  });

  it('fusion: the margin’s saliency maps are torch’s logit gradients, each minus its best competitor’s', async () => {
    const { out, manifest } = run('fusion');
    const logits = (JSON.parse(readFileSync(join(root, 'fixtures/fusion/logits.json'), 'utf8')) as { cosine: number[] }).cosine;
    const sal = item(manifest.items, 'saliency', 'margins');
    expect(sal.strategy).toBe('direct');
    const best = (k: number) => [0, 1, 2].filter((j) => j !== k).reduce((a, b) => (logits[b]! > logits[a]! ? b : a));
    sal.scores.forEach((s, k) => expect(s).toBeCloseTo(logits[k]! - logits[best(k)]!, 4));
    const gradient = await torch('logit_saliency.npy');
    const n = gradient.length / 3;
    const expected = Float32Array.from(gradient, (g, i) => g - gradient[best(Math.floor(i / n)) * n + (i % n)]!);
    expect(maxRelativeError((await readNpy(join(out, sal.npy))).data as Float32Array, expected)).toBeLessThan(1e-4);
    expect(item(manifest.items, 'ig', 'margins').strategy).toBe('direct');
  });

  it('adapter: mini-dual loads the demo model and both methods run on it', () => {
    const { manifest } = run('adapter');
    expect(manifest.model).toMatchObject({ adapter: 'mini-dual', embeddingDim: 32 });
    expect(manifest.items.map((i) => `${i.method}/${i.target}`)).toEqual(['saliency/findings', 'ig/findings']);
    const scores = manifest.items[0]!.scores;
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});

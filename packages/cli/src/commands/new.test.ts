import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.js';
import type { CommandIO } from '../io.js';
import { TEMPLATES_DIR, fillTemplate, templateNames } from './new.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envision-new-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `envision new …` in-process, capturing its output. */
async function envisionNew(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CommandIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false };
  const code = await main(['new', ...args], io);
  return { code, stdout, stderr };
}

const files = (root: string, prefix = ''): string[] =>
  readdirSync(join(root, prefix)).flatMap((n) => (statSync(join(root, prefix, n)).isDirectory() ? files(root, join(prefix, n)) : [join(prefix, n)])).sort();

describe('templateNames', () => {
  it('takes the id from NAME without scope and envision-KIND- prefix, and makes identifiers of it', () => {
    expect(templateNames('method', 'envision-method-foo')).toEqual({ name: 'envision-method-foo', id: 'foo', ident: 'fooMethod', type: 'FooMethod' });
    expect(templateNames('fusion', '@acme/envision-fusion-top-2')).toEqual({ name: '@acme/envision-fusion-top-2', id: 'top-2', ident: 'top2Fusion', type: 'Top2Fusion' });
    expect(templateNames('adapter', 'my-vlm')).toMatchObject({ id: 'my-vlm', ident: 'myVlmAdapter', type: 'MyVlmAdapter' });
    // The prefix of another kind is stripped too (the package name is the user's choice).
    expect(templateNames('method', 'envision-adapter-x').id).toBe('x');
  });

  it('refuses a NAME that is no npm name, or whose id is not ^[a-z][a-z0-9-]*$, naming NAME and what is valid', () => {
    expect(() => templateNames('method', 'Foo')).toThrow("NAME 'Foo' is not an npm package name");
    expect(() => templateNames('method', 'a b')).toThrow('is not an npm package name');
    expect(() => templateNames('method', 'envision-method-foo_bar')).toThrow("NAME 'envision-method-foo_bar' gives the plugin id 'foo_bar', which must match ^[a-z][a-z0-9-]*$");
    expect(() => templateNames('fusion', '@acme/envision-fusion-2x')).toThrow("plugin id '2x'");
    expect(() => templateNames('method', 'envision-method-')).toThrow("plugin id ''");
  });
});

describe('fillTemplate', () => {
  it('replaces each placeholder, __IDENT__ and __ID__ apart', () => {
    const names = templateNames('method', '@acme/envision-method-foo-bar');
    expect(fillTemplate('__NAME__ __ID__ __IDENT__ __TYPE__Options src/__ID__.ts __X__', names)).toBe(
      '@acme/envision-method-foo-bar foo-bar fooBarMethod FooBarMethodOptions src/foo-bar.ts __X__',
    );
  });
});

describe('envision new', () => {
  it.each(['method', 'adapter', 'fusion'] as const)('%s: writes the package with every placeholder filled', async (kind) => {
    const name = `@acme/envision-${kind}-demo-one`;
    const out = join(dir, kind);
    const r = await envisionNew(kind, name, '--dir', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/&& pnpm install && pnpm test && pnpm run experiment\n$/);
    const written = files(out);
    for (const f of ['.gitignore', 'README.md', 'package.json', 'pnpm-workspace.yaml', 'tsconfig.json', 'src/index.ts', 'src/demo-one.ts', 'src/demo-one.test.ts', 'example/experiment.yaml', 'example/chest-x-ray.png', 'example/model/vision.onnx', 'example/model/text.onnx', 'example/model/vocab.txt']) {
      expect(written).toContain(f);
    }
    for (const f of written.filter((w) => /\.(ts|json|md|yaml)$|gitignore$/.test(w))) {
      expect(readFileSync(join(out, f), 'utf8'), f).not.toMatch(/__(NAME|ID|IDENT|TYPE)__/);
    }
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
    expect(pkg.name).toBe(name);
    expect(pkg.dependencies['@envision/core']).toBe('^0.1.0');
    expect(pkg.devDependencies).toEqual({ '@envision/cli': '^0.1.0', '@types/node': '20.19.43', typescript: '6.0.3' });
    expect(pkg.scripts).toEqual({ build: 'tsc', test: 'tsc && node --test dist/demo-one.test.js', experiment: 'envision run example/experiment.yaml' });
    expect(pkg).toMatchObject({ license: 'MIT', type: 'module', engines: { node: '>=20.9' }, exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } });
    expect(readFileSync(join(out, 'src/index.ts'), 'utf8')).toMatch(/export default definePlugins\(\{ \w+: \[demoOne[A-Z]\w+\] \}\);/);
    expect(readFileSync(join(out, 'example/experiment.yaml'), 'utf8')).toContain(`plugins: ['${name}']`);
    expect(readFileSync(join(out, 'pnpm-workspace.yaml'), 'utf8')).toMatch(/^allowBuilds:\n {2}core-js-pure: false\n {2}msgpackr-extract: false\n {2}onnxruntime-node: false\n {2}protobufjs: false\n {2}sharp: false\n/m);
    // The README in the house order.
    const headings = readFileSync(join(out, 'README.md'), 'utf8').match(/^## .*$/gm);
    expect(headings).toEqual(['## What it is', '## When to use it', '## Install', '## Use', '## API', '## Options', '## The paper']);
    // Nothing left beside it.
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('ships the demo model and image byte for byte as the repository fixtures hold them', () => {
    for (const f of ['envision.json', 'vision.onnx', 'text.onnx', 'vocab.txt']) {
      expect(readFileSync(join(TEMPLATES_DIR, 'shared/example/model', f)).equals(readFileSync(join(repo, 'fixtures/tiny-dual', f))), f).toBe(true);
    }
    expect(readFileSync(join(TEMPLATES_DIR, 'shared/example/chest-x-ray.png')).equals(readFileSync(join(repo, 'fixtures/phantoms/images/phantom-0.png')))).toBe(true);
  });

  it('writes into ./NAME without scope by default, and into an existing empty folder', async () => {
    const cwd = process.cwd();
    const here = join(dir, 'default');
    mkdirSync(here);
    process.chdir(here);
    try {
      expect((await envisionNew('fusion', '@acme/envision-fusion-margin-two')).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(readdirSync(here)).toEqual(['envision-fusion-margin-two']);
    // An ordinary folder, as mkdir makes it (not mkdtemp's private 0700).
    expect(statSync(join(here, 'envision-fusion-margin-two')).mode & 0o777).toBe(0o777 & ~process.umask());
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect((await envisionNew('method', 'envision-method-empty', '--dir', empty)).code).toBe(0);
    expect(readdirSync(empty)).toContain('package.json');
  });

  it('takes the overrides of --packs DIR/overrides.yaml into pnpm-workspace.yaml', async () => {
    const packs = join(dir, 'packs');
    mkdirSync(packs);
    const overrides = "overrides:\n  '@envision/core': 'file:/x/envision-core-0.1.0.tgz'\nallowBuilds:\n  sharp: false\n";
    writeFileSync(join(packs, 'overrides.yaml'), overrides);
    const out = join(dir, 'with-packs');
    expect((await envisionNew('method', 'envision-method-packed', '--dir', out, '--packs', packs)).code).toBe(0);
    expect(readFileSync(join(out, 'pnpm-workspace.yaml'), 'utf8')).toBe(overrides);
  });

  it('refuses, exit 2 in one line, writing nothing: a non-empty folder, a bad NAME or kind, a built-in id, missing packs', async () => {
    const taken = join(dir, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'keep.txt'), 'mine');
    const before = readdirSync(dir).sort();
    const cases: [string[], string][] = [
      [['method', 'envision-method-x', '--dir', taken], `envision new: ${taken} exists and is not an empty folder; choose another --dir\n`],
      [['method', 'envision-method-Bad', '--dir', join(dir, 'bad')], "envision new: NAME 'envision-method-Bad' is not an npm package name: lowercase letters, digits, '-', '.', '_', optionally scoped (@scope/name)\n"],
      [['widget', 'x'], "envision new: give the kind of plugin: method, adapter or fusion, got 'widget' (see envision new --help)\n"],
      [['method'], 'envision new: give the package NAME, e.g. envision new method envision-method-my-method (see envision new --help)\n'],
      [['method', 'envision-method-saliency', '--dir', join(dir, 's')], "envision new: NAME 'envision-method-saliency' gives the method id 'saliency', which @envision/method-gb already provides; choose another NAME\n"],
      [['fusion', 'envision-fusion-dot', '--dir', join(dir, 'd')], "envision new: NAME 'envision-fusion-dot' gives the fusion id 'dot', which @envision/core already provides; choose another NAME\n"],
      [['method', 'envision-method-y', '--dir', join(dir, 'y'), '--packs', join(dir, 'nope')], `envision new: --packs ${join(dir, 'nope')}: no ${join(dir, 'nope', 'overrides.yaml')} (run pnpm run build && pnpm run pack in an Envision clone; it writes packs/overrides.yaml)\n`],
    ];
    for (const [args, stderr] of cases) {
      const r = await envisionNew(...args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, stderr]);
    }
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readdirSync(taken)).toEqual(['keep.txt']);
  });

  it('prints its help', async () => {
    const r = await envisionNew('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: envision new method\|adapter\|fusion NAME \[--dir D\] \[--packs DIR\]/);
  });
});

// The architecture, checked: every package's package.json lists exactly the packages its sources import, no source
// reaches into another package by a relative path, and the layers import only downwards (docs/architecture.md).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const rootDev = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies ?? {});

interface Manifest {
  readonly name: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

const tsFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : /\.(ts|mts)$/.test(n) ? [p] : [];
  });

const isTest = (file: string): boolean => /\.test(-support)?\.ts$/.test(file);

/** Every module specifier of a file: static imports and re-exports, side-effect imports and dynamic `import('…')`. */
export function specifiers(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const re of [/^\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gm, /^\s*import\s+'([^']+)'/gm, /\bimport\(\s*'([^']+)'\s*\)/g]) {
    for (const m of text.matchAll(re)) found.push(m[1]!);
  }
  return found;
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or undefined for relative and built-in ones. */
export function packageOf(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!)) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const packages = readdirSync(join(root, 'packages')).map((dir) => {
  const folder = join(root, 'packages', dir);
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Manifest;
  const files = tsFiles(join(folder, 'src'));
  const imports = (which: (f: string) => boolean): Set<string> =>
    new Set(files.filter(which).flatMap((f) => specifiers(readFileSync(f, 'utf8')).map(packageOf).filter((p): p is string => p !== undefined)));
  // A plugin package the CLI loads by name (a quoted string in a source file) is a dependency it uses, too.
  const sources = files.filter((f) => !isTest(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
  const named = Object.keys(manifest.dependencies ?? {}).filter((d) => sources.includes(`'${d}'`));
  return { dir, folder, manifest, files, source: imports((f) => !isTest(f)), named, tests: imports(isTest) };
});

const byName = new Map(packages.map((p) => [p.manifest.name, p]));

describe('package.json lists exactly what the sources import', () => {
  it.each(packages.map((p) => [p.manifest.name, p] as const))('%s', (_, p) => {
    const declared = Object.keys(p.manifest.dependencies ?? {});
    expect([...p.source].filter((d) => !declared.includes(d)).sort(), 'imported but not in dependencies').toEqual([]);
    expect(declared.filter((d) => !p.source.has(d) && !p.named.includes(d)).sort(), 'in dependencies but never imported or loaded by a source file').toEqual([]);
    const testAllowed = new Set([...declared, ...Object.keys(p.manifest.devDependencies ?? {}), ...rootDev]);
    expect([...p.tests].filter((d) => !testAllowed.has(d)).sort(), 'imported by a test but not declared').toEqual([]);
  });
});

describe('no file reaches into another package by a relative path', () => {
  it.each(packages.map((p) => [p.manifest.name, p] as const))('%s', (_, p) => {
    const escapes = p.files.flatMap((f) =>
      specifiers(readFileSync(f, 'utf8'))
        .filter((s) => s.startsWith('.') && relative(p.folder, resolve(dirname(f), s)).startsWith('..'))
        .map((s) => `${relative(root, f)}: ${s}`),
    );
    expect(escapes).toEqual([]);
  });
});

describe('the layers import downwards only', () => {
  const envision = (name: string): string[] => [...byName.get(name)!.source].filter((d) => d.startsWith('@envision/')).sort();

  it('@envision/onnx-grad depends on onnxruntime-node and protobufjs only', () => {
    expect([...byName.get('@envision/onnx-grad')!.source].sort()).toEqual(['onnxruntime-node', 'protobufjs']);
  });

  it('@envision/core imports no Envision package but @envision/onnx-grad: no plugin, no image, no phantom, no CLI', () => {
    expect(envision('@envision/core')).toEqual(['@envision/onnx-grad']);
  });

  it('@envision/core names no plugin and carries no phantom or benchmark code', () => {
    const core = byName.get('@envision/core')!;
    for (const file of core.files.filter((f) => !isTest(f))) {
      const text = readFileSync(file, 'utf8');
      expect(text, relative(root, file)).not.toMatch(/@envision\/(method-|adapter-|phantom|image|cli)/);
      expect(text, relative(root, file)).not.toMatch(/phantom/i);
    }
  });

  it('@envision/image imports core only; plugins import no plugin, the phantom study or the CLI', () => {
    expect(envision('@envision/image')).toEqual(['@envision/core']);
    for (const p of packages.filter((q) => /^@envision\/(method|adapter)-/.test(q.manifest.name))) {
      expect(envision(p.manifest.name).filter((d) => /^@envision\/(method-|adapter-|phantom|cli)/.test(d)), p.manifest.name).toEqual([]);
    }
    expect(envision('@envision/phantom').filter((d) => d !== '@envision/core')).toEqual([]);
  });

  it('@envision/explorer imports core only (the CLI hands it the registry and the loaded model): no plugin, no CLI', () => {
    expect(envision('@envision/explorer')).toEqual(['@envision/core']);
  });

  it('finds what it checks: a planted undeclared import and a relative escape are seen', () => {
    expect(specifiers("import { a } from '@x/y/z';\nexport * from 'lodash';\nconst m = await import('fs-extra');\nimport './side.js';\nconst s = `from '${x}'`;")).toEqual([
      '@x/y/z',
      'lodash',
      './side.js',
      'fs-extra',
    ]);
    expect(['@x/y/z', 'lodash', 'node:fs', 'fs', './a.js'].map(packageOf)).toEqual(['@x/y', 'lodash', undefined, undefined, undefined]);
    expect(specifiers("// import { a } from 'commented';\n/* from 'block' */")).toEqual([]);
  });
});

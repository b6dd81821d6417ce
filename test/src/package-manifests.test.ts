// Every package is publishable as it stands: the fields a registry and a consumer need, pointing at files the build
// makes. (What `pnpm pack` then puts in a tarball — the LICENSE, versions for `workspace:*` — is checked by
// packs.test.ts.)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './cli.js';

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly description?: string;
  readonly keywords?: readonly string[];
  readonly license?: string;
  readonly type?: string;
  readonly main?: string;
  readonly types?: string;
  readonly engines?: Record<string, string>;
  readonly repository?: { readonly type?: string; readonly url?: string; readonly directory?: string };
  readonly files?: readonly string[];
  readonly exports?: Record<string, unknown>;
  readonly bin?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
}

/** What is wrong with a package's manifest for publishing (empty when nothing is). */
export function publishProblems(dir: string, m: Manifest, folder: string): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string): void => void (ok || problems.push(what));
  need(m.private !== true, 'private');
  need(/^@envision\/[a-z][a-z0-9-]*$/.test(m.name), `name ${m.name}`);
  need(/^\d+\.\d+\.\d+$/.test(m.version), `version ${m.version}`);
  need(typeof m.description === 'string' && m.description.length > 10, 'description');
  need(Array.isArray(m.keywords) && m.keywords.includes('envision') && m.keywords.length >= 3, 'keywords');
  need(m.license === 'MIT', 'license MIT');
  need(m.type === 'module', 'type module');
  need(m.engines?.node === '>=20.9', 'engines.node >=20.9');
  need(m.repository?.type === 'git' && /^git\+https:\/\/.+\.git$/.test(m.repository.url ?? '') && m.repository.directory === `packages/${dir}`, 'repository');
  const dot = (m.exports?.['.'] ?? {}) as Record<string, string>;
  need(dot.types === m.types && dot.default === m.main && m.types === './dist/index.d.ts' && m.main === './dist/index.js', 'exports "." types/default = types/main');
  need(m.exports?.['./package.json'] === './package.json', 'exports ./package.json');
  const files = m.files ?? [];
  need(['dist', 'src', 'README.md'].every((f) => files.includes(f)), 'files dist, src, README.md');
  need(files.includes('!src/**/*.test.ts'), 'files leave the tests out');
  need(existsSync(join(folder, 'README.md')), 'README.md exists');
  for (const [bin, path] of Object.entries(m.bin ?? {})) need(path.startsWith('./dist/'), `bin ${bin} in dist`);
  for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
    need(dep.startsWith('@envision/') ? range === 'workspace:*' : /^\d+\.\d+\.\d+$/.test(range), `dependency ${dep}@${range} (workspace:* or an exact pin)`);
  }
  return problems;
}

const packages = readdirSync(join(root, 'packages')).map((dir) => {
  const folder = join(root, 'packages', dir);
  return { dir, folder, manifest: JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Manifest };
});

describe('every package.json is ready to publish', () => {
  it.each(packages.map((p) => [p.manifest.name, p] as const))('%s', (_, p) => {
    expect(publishProblems(p.dir, p.manifest, p.folder)).toEqual([]);
    // The entry points exist once built (the test command builds first).
    expect(existsSync(join(p.folder, 'dist/index.js')), 'dist/index.js (run pnpm run build)').toBe(true);
    expect(existsSync(join(p.folder, 'dist/index.d.ts'))).toBe(true);
  });

  it('the root LICENSE is MIT, held by the Envision contributors', () => {
    const text = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(text).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} Envision contributors\n/);
  });

  it('finds what it checks: a manifest missing fields is reported field by field', () => {
    const good = packages.find((p) => p.dir === 'core')!;
    expect(publishProblems('core', good.manifest, good.folder)).toEqual([]);
    const bad = { ...good.manifest, private: true, license: 'ISC', engines: undefined, files: ['dist'], dependencies: { '@envision/onnx-grad': '^0.1.0', ajv: '^8' } };
    expect(publishProblems('core', bad, good.folder)).toEqual([
      'private',
      'license MIT',
      'engines.node >=20.9',
      'files dist, src, README.md',
      'files leave the tests out',
      'dependency @envision/onnx-grad@^0.1.0 (workspace:* or an exact pin)',
      'dependency ajv@^8 (workspace:* or an exact pin)',
    ]);
    expect(publishProblems('image', good.manifest, good.folder)).toEqual(['repository']);
  });
});

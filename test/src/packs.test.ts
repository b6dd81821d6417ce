// `pnpm run pack` (scripts/pack.mjs): one tarball per package, each with the LICENSE, the build and the sources but
// no tests, `workspace:*` rewritten to the version; an overrides.yaml naming every tarball by absolute path; and a
// missing build refused in one line.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './cli.js';
import { output, sh, tarEntries, usePacks } from './packs.test-support.js';

const packs = usePacks();
const manifests = readdirSync(join(root, 'packages')).map(
  (d) => JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')) as { name: string; version: string; dependencies?: Record<string, string> },
);

describe('pnpm run pack', () => {
  it('packs every package as envision-NAME-VERSION.tgz', () => {
    expect(Object.keys(packs().tarballs).sort()).toEqual(manifests.map((m) => m.name).sort());
    for (const m of manifests) expect(basename(packs().tarballs[m.name]!)).toBe(`${m.name.replace('@', '').replace('/', '-')}-${m.version}.tgz`);
  });

  it('each tarball holds the LICENSE, the build, the sources without tests, and versions for workspace:*', () => {
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    for (const m of manifests) {
      const entries = tarEntries(packs().tarballs[m.name]!);
      const names = [...entries.keys()];
      expect(entries.get('package/LICENSE')?.toString('utf8'), m.name).toBe(license);
      expect(names, m.name).toContain('package/dist/index.js');
      expect(names, m.name).toContain('package/dist/index.d.ts');
      expect(names, m.name).toContain('package/README.md');
      expect(names, m.name).toContain('package/src/index.ts');
      // (The CLI's templates hold the tests of the packages they write: those are shipped.)
      expect(names.filter((n) => /\.test(-support)?\.ts$|tsbuildinfo$/.test(n) && !n.startsWith('package/templates/')), m.name).toEqual([]);
      const packed = JSON.parse(entries.get('package/package.json')!.toString('utf8')) as { dependencies?: Record<string, string> };
      for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
        const version = manifests.find((x) => x.name === dep)?.version;
        expect(packed.dependencies?.[dep], `${m.name} → ${dep}`).toBe(range === 'workspace:*' ? version : range);
      }
      expect(JSON.stringify(packed), m.name).not.toContain('workspace:');
    }
    const cli = [...tarEntries(packs().tarballs['@envision/cli']!).keys()];
    for (const kind of ['method', 'adapter', 'fusion']) expect(cli).toContain(`package/templates/${kind}/src/__ID__.ts`);
    expect(cli).toContain('package/templates/shared/example/model/vision.onnx');
    expect(cli).toContain('package/templates/shared/gitignore');
  });

  it('writes overrides.yaml: every package → file: its tarball (absolute), and the allowBuilds block', () => {
    const lines = packs().overrides.split('\n');
    const overrides = lines.slice(lines.indexOf('overrides:') + 1, lines.indexOf('allowBuilds:'));
    expect(overrides.sort()).toEqual(manifests.map((m) => `  '${m.name}': 'file:${packs().tarballs[m.name]}'`).sort());
    expect(lines.slice(lines.indexOf('allowBuilds:') + 1).filter(Boolean).sort()).toEqual(
      ['core-js-pure', 'msgpackr-extract', 'onnxruntime-node', 'protobufjs', 'sharp'].map((n) => `  ${n}: false`),
    );
  });

  it('refuses to pack a package that is not built, in one line, exit 2, writing nothing', () => {
    const fake = mkdtempSync(join(tmpdir(), 'envision-pack-fake-'));
    try {
      mkdirSync(join(fake, 'scripts'));
      copyFileSync(join(root, 'scripts/pack.mjs'), join(fake, 'scripts/pack.mjs'));
      mkdirSync(join(fake, 'packages/thing'), { recursive: true });
      writeFileSync(join(fake, 'packages/thing/package.json'), '{"name":"@envision/thing","version":"0.1.0"}');
      const r = sh(process.execPath, [join(fake, 'scripts/pack.mjs'), '--out', join(fake, 'out')], fake);
      expect(r.code, output(r)).toBe(2);
      expect(r.stderr.trim()).toBe('pack: packages/thing not built (no dist/index.js): run pnpm run build first');
      expect(readdirSync(fake).sort()).toEqual(['packages', 'scripts']);
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });
});

// The templates, done as a plugin author does them: `envision new KIND NAME --packs DIR` in a temporary folder
// outside the repository, `pnpm install --offline` against the packed tarballs, the package's own `pnpm test` (tsc,
// then node --test running the check kit) and `pnpm run experiment` (envision run, the plugin loaded by its package
// name from the example's folder), then the run's outputs. The three packages build at once, on one pack.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envision } from './cli.js';
import { output, pinLockfileVersions, shAsync, usePacks } from './packs.test-support.js';

interface Manifest {
  readonly versions: Record<string, string>;
  readonly items: readonly { readonly method: string; readonly target: string; readonly npy: string; readonly scores: readonly number[]; readonly overlays: readonly string[] }[];
}

const packs = usePacks();
let base = '';
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'envision-templates-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const cases = [
  { kind: 'method', name: 'envision-method-input-grad', plugin: 'input-grad', items: ['input-grad findings', 'saliency findings'] },
  { kind: 'fusion', name: '@acme/envision-fusion-margin', plugin: 'margin', items: ['ig margins', 'ig dot'] },
  { kind: 'adapter', name: 'envision-adapter-tiny-dual', plugin: 'tiny-dual', items: ['saliency findings', 'ig findings'] },
] as const;

describe('plugin templates, end to end against the packed tarballs', () => {
  it.concurrent.each(cases)('$kind: envision new $name, pnpm install --offline, pnpm test, pnpm run experiment', async ({ kind, name, items }) => {
    const project = join(base, kind);
    const made = envision(['new', kind, name, '--dir', project, '--packs', packs().dir], base);
    expect(made.code, output(made)).toBe(0);
    expect(made.stdout.trim()).toBe(`cd ${kind} && pnpm install && pnpm test && pnpm run experiment`);

    pinLockfileVersions(join(project, 'pnpm-workspace.yaml'));
    const install = await shAsync('pnpm', ['install', '--offline'], project);
    expect(install.code, output(install)).toBe(0);

    const test = await shAsync('pnpm', ['test'], project);
    expect(test.code, output(test)).toBe(0);
    expect(test.stdout, output(test)).toMatch(/^# pass [1-9]\d*$/m);
    expect(test.stdout).toMatch(/^# fail 0$/m);
    expect(existsSync(join(project, 'dist/index.d.ts'))).toBe(true);

    const run = await shAsync('pnpm', ['run', 'experiment'], project);
    expect(run.code, output(run)).toBe(0);
    const out = join(project, 'runs/example');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.versions[name], 'the plugin package is recorded with its version').toBe('0.1.0');
    expect(manifest.items.map((i) => `${i.method} ${i.target}`).sort()).toEqual([...items].sort());
    for (const item of manifest.items) {
      expect(existsSync(join(out, item.npy)), item.npy).toBe(true);
      expect(item.overlays.length).toBeGreaterThan(0);
      for (const overlay of item.overlays) expect(existsSync(join(out, overlay)), overlay).toBe(true);
      expect(item.scores.every(Number.isFinite)).toBe(true);
    }
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  }, 240_000);
});

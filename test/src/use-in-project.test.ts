// The README's "Use Envision in your own project", done as it says: in temporary projects outside the repository,
// with the README's own package.json, experiment and commands (/path/to/envision replaced by this clone), installed
// from the packed tarballs offline (pnpm's store holds every third-party package) and, the alternative, linked.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './cli.js';
import { installOffline, output, sh, usePacks } from './packs.test-support.js';

/** The fenced blocks of one README section, in order, with the clone's path put in for /path/to/envision. */
export function sectionBlocks(readme: string, heading: string, clone: string): { lang: string; text: string }[] {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no section '${heading}'`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, text: m[2]!.replaceAll('/path/to/envision', clone) }));
}

const clone = root.replace(/\/$/, '');
const blocks = sectionBlocks(readFileSync(join(root, 'README.md'), 'utf8'), 'Use Envision in your own project', clone);
const block = (lang: string, test: (text: string) => boolean): string => {
  const found = blocks.find((b) => b.lang === lang && test(b.text));
  if (!found) throw new Error(`README section lacks a ${lang} block`);
  return found.text;
};
const packageJson = block('json', () => true);
const experiment = block('yaml', (t) => t.includes('model:'));
const linkCommand = block('sh', (t) => t.includes('link:')).trim();
const commands = block('sh', (t) => t.includes('pnpm exec envision run')).trim().split('\n');

const packs = usePacks();
let base = '';
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'envision-own-project-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Writes the README's experiment into a project and runs the README's commands after `pnpm install`. */
function runExperiment(project: string): void {
  writeFileSync(join(project, 'experiment.yaml'), experiment);
  expect(commands.slice(1)).toEqual(['pnpm exec envision --help', 'pnpm exec envision run experiment.yaml']);
  const help = sh('pnpm', ['exec', 'envision', '--help'], project);
  expect(help.code, output(help)).toBe(0);
  expect(help.stdout).toMatch(/^Usage: envision <command>/);
  const run = sh('pnpm', ['exec', 'envision', 'run', 'experiment.yaml'], project);
  expect(run.code, output(run)).toBe(0);
  expect(existsSync(join(project, 'out/cxr-a/saliency/prompts.npy'))).toBe(true);
  expect(existsSync(join(project, 'out/report.html'))).toBe(true);
}

describe('Use Envision in your own project (README)', () => {
  it('packed: overrides.yaml as pnpm-workspace.yaml, the README package.json, pnpm install --offline, envision --help and run', () => {
    const project = join(base, 'packed');
    mkdirSync(project);
    // The README's `cp …/packs/overrides.yaml pnpm-workspace.yaml`, from the packs this test made.
    expect(block('sh', (t) => t.startsWith('cp ')).trim()).toBe(`cp ${clone}/packs/overrides.yaml pnpm-workspace.yaml`);
    copyFileSync(join(packs().dir, 'overrides.yaml'), join(project, 'pnpm-workspace.yaml'));
    writeFileSync(join(project, 'package.json'), packageJson);
    expect(commands[0]).toBe('pnpm install');
    const install = installOffline(project);
    expect(install.code, output(install)).toBe(0);
    // Installed from the tarballs, into the project (not linked back to the clone).
    const core = realpathSync(join(project, 'node_modules/@envision/core'));
    expect(core.startsWith(realpathSync(project))).toBe(true);
    expect(existsSync(join(core, 'src/adapter.ts'))).toBe(true);
    expect(existsSync(join(core, 'src/adapter.test.ts'))).toBe(false);
    runExperiment(project);
  }, 180_000);

  it('linked: pnpm add link: the clone’s packages, envision --help and run', () => {
    const project = join(base, 'linked');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-study', private: true, type: 'module' }));
    const args = linkCommand.split(/\s+/);
    expect(args.slice(0, 2)).toEqual(['pnpm', 'add']);
    const add = sh('pnpm', [...args.slice(1), '--offline'], project);
    expect(add.code, output(add)).toBe(0);
    expect(realpathSync(join(project, 'node_modules/@envision/cli'))).toBe(realpathSync(join(root, 'packages/cli')));
    runExperiment(project);
  }, 120_000);
});

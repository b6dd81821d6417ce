// What the tests of packed Envision need: `pnpm run pack` into a temporary folder (once per test file, shared by its
// tests), commands run in projects outside the repository, and the offline install those projects do.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll } from 'vitest';
import { root } from './cli.js';

/** The tarballs `scripts/pack.mjs` wrote and its overrides fragment. */
export interface Packs {
  /** The folder holding them. */
  readonly dir: string;
  /** Package name → absolute tarball path. */
  readonly tarballs: Readonly<Record<string, string>>;
  /** The text of `dir/overrides.yaml`. */
  readonly overrides: string;
}

/** Exit code and output of one command. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a command run in a project outside the repository. */
function projectEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', CI: '1', npm_config_update_notifier: 'false' };
  // Inside `pnpm test` these point at the repository's pnpm run; a project elsewhere must not inherit them.
  for (const k of Object.keys(env)) if (/^(npm_|INIT_CWD$|PNPM_SCRIPT_SRC_DIR$)/.test(k)) delete env[k];
  return env;
}

/** Runs a command (no shell) in `cwd`; `FORCE_COLOR=0`, and pnpm neither asks nor updates itself. */
export function sh(cmd: string, args: readonly string[], cwd: string, timeout = 120_000): Ran {
  const r = spawnSync(cmd, [...args], { cwd, encoding: 'utf8', env: projectEnv(), timeout });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

/** Like {@link sh}, without blocking (so that several projects can build at once). */
export function shAsync(cmd: string, args: readonly string[], cwd: string, timeout = 120_000): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn(cmd, [...args], { cwd, env: projectEnv(), timeout });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString('utf8')));
    child.on('error', (e) => done({ code: -1, stdout, stderr: stderr + String(e) }));
    child.on('close', (code, signal) => done({ code: code ?? -1, stdout, stderr: stderr + (signal ? `\nkilled by ${signal}` : '') }));
  });
}

/** A command's output for an assertion message. */
export const output = (r: Ran): string => `exit ${r.code}\n${r.stdout}\n${r.stderr}`.slice(-4000);

/** Runs `node scripts/pack.mjs --out DIR` and reads what it wrote. */
export function pack(dir: string): Packs {
  const r = sh(process.execPath, [join(root, 'scripts/pack.mjs'), '--out', dir], root);
  if (r.code !== 0) throw new Error(`scripts/pack.mjs failed: ${output(r)}`);
  const tarballs: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.tgz'))) {
    const manifest = JSON.parse(tarEntry(join(dir, f), 'package/package.json')) as { name: string };
    tarballs[manifest.name] = join(dir, f);
  }
  return { dir, tarballs, overrides: readFileSync(join(dir, 'overrides.yaml'), 'utf8') };
}

/** Packs once before the tests of a file, into a temporary folder removed after them. */
export function usePacks(): () => Packs {
  let packs: Packs | undefined;
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'envision-packs-'));
    packs = pack(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => packs!;
}

/** The entries of a `.tgz` (ustar, as npm and pnpm write them): path → contents. */
export function tarEntries(file: string): Map<string, Buffer> {
  const data = gunzipSync(readFileSync(file));
  const entries = new Map<string, Buffer>();
  for (let at = 0; at + 512 <= data.length; ) {
    const header = data.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, length: number): string => header.subarray(from, from + length).toString('utf8').replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    if (field(156, 1) === '0' || field(156, 1) === '') entries.set(name, Buffer.from(data.subarray(at + 512, at + 512 + size)));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** One file of a `.tgz`, as text. */
export function tarEntry(file: string, path: string): string {
  const entry = tarEntries(file).get(path);
  if (entry === undefined) throw new Error(`${file} has no ${path}`);
  return entry.toString('utf8');
}

/**
 * Pins every third-party package to the version the repository's lockfile holds, in a project's
 * pnpm-workspace.yaml (under its `overrides:`). Only an offline install needs it: pnpm then resolves version ranges
 * against its cached registry metadata, which may know newer versions than its store holds (here
 * `@babel/runtime-corejs3`, under dcmjs); online, the ranges resolve as usual.
 */
export function pinLockfileVersions(workspaceYaml: string): void {
  // pnpm 12 writes two documents (pnpm's own packages first, then the project's): read the last.
  const lock = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8');
  const start = lock.lastIndexOf('\npackages:\n');
  const section = lock.slice(start, lock.indexOf('\nsnapshots:\n', start));
  const versions = new Map<string, Set<string>>();
  for (const m of section.matchAll(/^ {2}'?(@?[^@'\s]+)@(\d[^:'(\s]*)'?:$/gm)) {
    versions.set(m[1]!, (versions.get(m[1]!) ?? new Set()).add(m[2]!));
  }
  const pins = [...versions].filter(([name, v]) => v.size === 1 && !name.startsWith('@envision/')).map(([name, v]) => `  '${name}': '${[...v][0]}'`);
  const text = readFileSync(workspaceYaml, 'utf8');
  const withPins = /^overrides:\n/m.test(text) ? text.replace(/^overrides:\n/m, `overrides:\n${pins.join('\n')}\n`) : `${text}overrides:\n${pins.join('\n')}\n`;
  writeFileSync(workspaceYaml, withPins);
}

/** `pnpm install --offline` in a project (its pnpm-workspace.yaml pinned with {@link pinLockfileVersions} first). */
export function installOffline(project: string): Ran {
  pinLockfileVersions(join(project, 'pnpm-workspace.yaml'));
  return sh('pnpm', ['install', '--offline'], project);
}

#!/usr/bin/env node
// `pnpm run pack [--out DIR]`: packs every package of packages/ into DIR (default packs/) as
// envision-NAME-VERSION.tgz — pnpm pack rewrites `workspace:*` to the version and adds the root LICENSE — and writes
// DIR/overrides.yaml, a pnpm-workspace.yaml fragment that makes a project outside this repository install Envision
// from these tarballs. Builds nothing: run `pnpm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Packages with an install script Envision does not need run: the prebuilt binaries ship in onnxruntime-node and
 * sharp, and protobufjs's and core-js-pure's (under dcmjs) scripts only print; msgpackr-extract (under bullmq) is an
 * optional native speed-up (plain JS without it). pnpm refuses to install until each is decided.
 */
export const ALLOW_BUILDS = { 'core-js-pure': false, 'msgpackr-extract': false, 'onnxruntime-node': false, protobufjs: false, sharp: false };

/** The pnpm-workspace.yaml fragment: every package overridden to its tarball, and the allowBuilds block. */
export function overridesYaml(tarballs) {
  const lines = [
    '# Written by scripts/pack.mjs: paste into the pnpm-workspace.yaml of a project outside the Envision repository,',
    '# then `pnpm install`. Every @envision package resolves to its tarball (dependencies between them too).',
    'overrides:',
    ...Object.entries(tarballs).map(([name, file]) => `  '${name}': 'file:${file.replaceAll("'", "''")}'`),
    'allowBuilds:',
    ...Object.entries(ALLOW_BUILDS).map(([name, allowed]) => `  ${name}: ${allowed}`),
  ];
  return lines.join('\n') + '\n';
}

function fail(message) {
  console.error(`pack: ${message}`);
  process.exit(2);
}

/** The pnpm to run: the one running this script (`pnpm run pack`), else the one on the PATH. */
function pnpm(args, cwd) {
  const exec = process.env.npm_execpath;
  const [cmd, pre] = exec && /pnpm/.test(exec) ? (/\.[cm]?js$/.test(exec) ? [process.execPath, [exec]] : [exec, []]) : ['pnpm', []];
  return spawnSync(cmd, [...pre, ...args], { cwd, encoding: 'utf8' });
}

function main() {
  let values;
  try {
    ({ values } = parseArgs({ options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (e) {
    fail(`${e.message} (usage: pnpm run pack [--out DIR])`);
  }
  if (values.help) {
    console.log('Usage: pnpm run pack [--out DIR]   (node scripts/pack.mjs [--out DIR])\n\nPacks every Envision package into DIR (default packs/) and writes DIR/overrides.yaml. Run pnpm run build first.');
    return;
  }
  // Relative to where the user typed the command (pnpm run starts scripts in the repository root).
  const out = resolve(process.env.INIT_CWD ?? process.cwd(), values.out ?? join(root, 'packs'));
  const folders = readdirSync(join(root, 'packages'))
    .map((d) => join(root, 'packages', d))
    .filter((d) => existsSync(join(d, 'package.json')));
  const unbuilt = folders.filter((d) => !existsSync(join(d, 'dist', 'index.js'))).map((d) => relative(root, d));
  if (unbuilt.length > 0) fail(`${unbuilt.join(', ')} not built (no dist/index.js): run pnpm run build first`);
  mkdirSync(out, { recursive: true });
  const tarballs = {};
  for (const folder of folders) {
    const { name } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    const r = pnpm(['pack', '--json', '--pack-destination', out], folder);
    if (r.status !== 0) fail(`pnpm pack failed in ${relative(root, folder)}: ${(r.stderr || r.stdout || String(r.error)).trim()}`);
    const { filename } = JSON.parse(r.stdout);
    tarballs[name] = resolve(out, filename);
  }
  const yaml = join(out, 'overrides.yaml');
  writeFileSync(yaml, overridesYaml(tarballs));
  for (const file of Object.values(tarballs)) console.log(file);
  console.log(yaml);
  console.log(`pack: ${folders.length} packages packed into ${out}; paste ${yaml} into your project's pnpm-workspace.yaml and run pnpm install`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

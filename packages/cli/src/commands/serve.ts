import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { EnvisionError, loadCheckedAdapter, type Experiment, type RunManifest } from '@envision/core';
import { startExplorer } from '@envision/explorer';
import { parseCommand } from '../args.js';
import { registryWith } from '../builtin-plugins.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision serve`. */
export const serveHelp = `Usage: envision serve RUN_DIR [--port P]

Opens a finished run (a folder with manifest.json, written by envision run) in a local web page on 127.0.0.1: type a
prompt and see its map for every method whose per-dimension maps the run stored (one text encoding and one matrix
product per prompt, the same numbers envision run writes for that text), several prompts side by side, with their
scores, sign and outlier-clipping controls, and the run's own maps (baseline and proposed) beside them. A method
without stored maps shows the run's maps, says why, and offers to compute its store (kept in memory, not written).
The model is loaded once. The server answers only on 127.0.0.1, serves only the files the manifest lists, and stops
on Ctrl-C (SIGINT) or SIGTERM.
  --port P   the port (default 8765; 0 picks a free one)

Prints the page's address on stdout.`;

/** Reads and checks a run's manifest. */
async function readManifest(runDir: string): Promise<RunManifest> {
  const path = join(runDir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new EnvisionError('E_INPUT', `${path} is missing: give a folder written by envision run`);
  }
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(text) as RunManifest;
  } catch {
    throw new EnvisionError('E_INPUT', `${path} is not JSON`);
  }
  const plan = manifest?.config as Partial<Experiment> | undefined;
  if (manifest?.format !== 'envision-run/1' || !Array.isArray(manifest.items) || !Array.isArray(manifest.perDimension) || !Array.isArray(manifest.figures)) {
    throw new EnvisionError('E_INPUT', `${path} is not an envision-run/1 manifest`);
  }
  if (plan === undefined || !Array.isArray(plan.images) || !Array.isArray(plan.methods) || !Array.isArray(plan.targets) || typeof plan.baseDir !== 'string' || plan.model === undefined || plan.output === undefined) {
    throw new EnvisionError('E_INPUT', `${path} records no resolved experiment (config): re-run it with this version of envision`);
  }
  return manifest;
}

/** `envision serve RUN_DIR [--port P]`. */
export async function serveCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommand('serve', argv, { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    io.stdout(serveHelp + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new EnvisionError('E_USAGE', `give exactly one run folder, got ${positionals.length} (see envision serve --help)`);
  const port = values.port === undefined ? 8765 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new EnvisionError('E_USAGE', `--port must be an integer from 0 to 65535, got ${values.port}`);
  const runDir = resolve(positionals[0]!);
  const manifest = await readManifest(runDir);
  const plan = manifest.config as Experiment;
  const registry = await registryWith(plan.plugins ?? [], plan.baseDir);
  const adapter = await loadCheckedAdapter(plan, registry);
  let explorer;
  try {
    explorer = await startExplorer({ runDir, manifest, plan, registry, adapter }, { port });
  } catch (e) {
    await adapter.dispose?.();
    throw e;
  }
  io.stdout(`${explorer.url}\n`);
  io.stderr(`envision serve: ${relative(process.cwd(), runDir) || '.'} at ${explorer.url} (Ctrl-C stops)\n`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await explorer.close();
  await adapter.dispose?.();
  io.stderr('envision serve: stopped\n');
  return 0;
}

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvisionError, type PluginKind } from '@envision/core';
import { parseCommand } from '../args.js';
import { registryWith } from '../builtin-plugins.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision new`. */
export const newHelp = `Usage: envision new method|adapter|fusion NAME [--dir D] [--packs DIR]

Writes a plugin package to start from: NAME is its npm package name (may be scoped); the plugin id is NAME without
its scope and without a leading envision-method-, envision-adapter- or envision-fusion- (e.g. envision-method-foo →
foo; it must match ^[a-z][a-z0-9-]*$). The package holds src/index.ts (default export definePlugins({…})),
src/ID.ts (method: Input × Gradient; adapter: a dual encoder from vision.onnx, text.onnx and vocab.txt; fusion: a
margin between prompts), src/ID.test.ts (node:test, running @envision/core's check kit on it), a README,
example/experiment.yaml with a demo model and image, tsconfig.json, .gitignore and pnpm-workspace.yaml.
  --dir D       where to write it (default ./NAME without its scope); must not exist or be empty
  --packs DIR   take the overrides of DIR/overrides.yaml (from pnpm run pack in an Envision clone) into the
                package's pnpm-workspace.yaml, so that pnpm install takes Envision from those tarballs

Then: cd D && pnpm install && pnpm test && pnpm run experiment`;

/** The kinds of plugin a template exists for. */
export const TEMPLATE_KINDS: readonly PluginKind[] = ['method', 'adapter', 'fusion'];

/** Where the templates live: packages/cli/templates (beside src/ and dist/, shipped in the package). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/** What a template's placeholders stand for. */
export interface TemplateNames {
  /** `__NAME__`: the npm package name. */
  readonly name: string;
  /** `__ID__`: the plugin id (also the name of its source file). */
  readonly id: string;
  /** `__IDENT__`: the plugin's exported constant, e.g. `fooMethod`. */
  readonly ident: string;
  /** `__TYPE__`: the prefix of its types, e.g. `FooMethod` (options: `FooMethodOptions`). */
  readonly type: string;
}

const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const PLUGIN_ID = /^[a-z][a-z0-9-]*$/;

/**
 * The names a template is written with, from the package name.
 * @throws EnvisionError `E_USAGE` naming NAME and what is valid
 */
export function templateNames(kind: PluginKind, name: string): TemplateNames {
  if (!NPM_NAME.test(name) || name.length > 214) {
    throw new EnvisionError('E_USAGE', `NAME '${name}' is not an npm package name: lowercase letters, digits, '-', '.', '_', optionally scoped (@scope/name)`);
  }
  const id = name.replace(/^@[^/]+\//, '').replace(/^envision-(?:method|adapter|fusion)-/, '');
  if (!PLUGIN_ID.test(id)) {
    throw new EnvisionError(
      'E_USAGE',
      `NAME '${name}' gives the plugin id '${id}', which must match ^[a-z][a-z0-9-]*$ (a lowercase letter, then lowercase letters, digits and '-'), e.g. envision-${kind}-my-${kind}`,
    );
  }
  const camel = id.replace(/-+([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/-+$/, '');
  const suffix = kind[0]!.toUpperCase() + kind.slice(1);
  return { name, id, ident: camel + suffix, type: camel[0]!.toUpperCase() + camel.slice(1) + suffix };
}

/** Replaces the placeholders `__NAME__`, `__ID__`, `__IDENT__` and `__TYPE__` in a template's text or file name. */
export function fillTemplate(text: string, names: TemplateNames): string {
  const values: Record<string, string> = { NAME: names.name, ID: names.id, IDENT: names.ident, TYPE: names.type };
  return text.replace(/__(NAME|IDENT|TYPE|ID)__/g, (_, key: string) => values[key]!);
}

/** Files whose text holds placeholders (anything else, such as models and images, is copied byte for byte). */
const TEXT_FILE = /\.(ts|json|md|yaml)$|^gitignore$/;

/** Every file under a folder, as paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix)).flatMap((n) => {
    const rel = prefix ? `${prefix}/${n}` : n;
    return statSync(join(dir, rel)).isDirectory() ? filesUnder(dir, rel) : [rel];
  });
}

/** The allowBuilds block every project installing Envision needs (pnpm refuses to install until each is decided). */
export const ALLOW_BUILDS_YAML = `allowBuilds:
  core-js-pure: false
  msgpackr-extract: false
  onnxruntime-node: false
  protobufjs: false
  sharp: false
`;

/**
 * The package's pnpm-workspace.yaml: the allowBuilds block, or the whole overrides fragment of `pnpm run pack`
 * (which holds that block too).
 * @throws EnvisionError `E_USAGE` when `packs` has no readable overrides.yaml with an `overrides:` section
 */
export function workspaceYaml(packs: string | undefined): string {
  if (packs === undefined) {
    return `# Native install scripts Envision does not need. To install Envision from a clone's tarballs, add the overrides\n# of its packs/overrides.yaml (pnpm run pack), or create the package with envision new … --packs DIR.\n${ALLOW_BUILDS_YAML}`;
  }
  const file = resolve(packs, 'overrides.yaml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new EnvisionError('E_USAGE', `--packs ${packs}: no ${file} (run pnpm run build && pnpm run pack in an Envision clone; it writes packs/overrides.yaml)`);
  }
  if (!/^overrides:$/m.test(text) || !/^allowBuilds:$/m.test(text)) {
    throw new EnvisionError('E_USAGE', `--packs ${packs}: ${file} has no overrides: and allowBuilds: sections (write it again with pnpm run pack)`);
  }
  return text;
}

/**
 * Writes the package of a template into `dir` atomically: into a temporary folder beside it, renamed into place at
 * the end (nothing is left behind on failure).
 * @returns the files written, relative to `dir`
 * @throws EnvisionError `E_USAGE` when `dir` exists and is not an empty folder; `E_FILE` when it cannot be written
 */
export function writeTemplate(kind: PluginKind, names: TemplateNames, dir: string, packs?: string): string[] {
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new EnvisionError('E_USAGE', `${dir} exists and is not an empty folder; choose another --dir`);
  }
  const pnpmWorkspace = workspaceYaml(packs);
  const sources = [join(TEMPLATES_DIR, 'shared'), join(TEMPLATES_DIR, kind)];
  const parent = dirname(dir);
  let temp: string;
  try {
    mkdirSync(parent, { recursive: true });
    temp = mkdtempSync(join(parent, `.${basename(dir)}.envision-new-`));
  } catch (e) {
    throw new EnvisionError('E_FILE', `cannot write into ${parent}: ${(e as Error).message}`, e);
  }
  try {
    const written: string[] = [];
    for (const source of sources) {
      for (const rel of filesUnder(source)) {
        const target = fillTemplate(rel, names).replace(/(^|\/)gitignore$/, '$1.gitignore');
        const bytes = readFileSync(join(source, rel));
        mkdirSync(dirname(join(temp, target)), { recursive: true });
        writeFileSync(join(temp, target), TEXT_FILE.test(basename(rel)) ? fillTemplate(bytes.toString('utf8'), names) : bytes);
        written.push(target);
      }
    }
    writeFileSync(join(temp, 'pnpm-workspace.yaml'), pnpmWorkspace);
    written.push('pnpm-workspace.yaml');
    // mkdtemp makes the folder private (0700); the package is an ordinary folder, as mkdir would make it.
    chmodSync(temp, 0o777 & ~process.umask());
    if (existsSync(dir)) rmdirSync(dir); // empty (checked above)
    renameSync(temp, dir);
    return written.sort();
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    if (e instanceof EnvisionError) throw e;
    throw new EnvisionError('E_FILE', `cannot write ${dir}: ${(e as Error).message}`, e);
  }
}

/** `envision new method|adapter|fusion NAME`: writes a plugin package to start from. */
export async function newCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommand('new', argv, { dir: { type: 'string' }, packs: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    io.stdout(newHelp + '\n');
    return 0;
  }
  const [kind, name, ...extra] = positionals;
  if (kind === undefined || !TEMPLATE_KINDS.includes(kind as PluginKind)) {
    throw new EnvisionError('E_USAGE', `give the kind of plugin: method, adapter or fusion${kind === undefined ? '' : `, got '${kind}'`} (see envision new --help)`);
  }
  if (name === undefined) throw new EnvisionError('E_USAGE', `give the package NAME, e.g. envision new ${kind} envision-${kind}-my-${kind} (see envision new --help)`);
  if (extra.length > 0) throw new EnvisionError('E_USAGE', `unexpected argument '${extra[0]}' (see envision new --help)`);
  const names = templateNames(kind as PluginKind, name);
  // An id a built-in plugin already has would clash with it in every experiment.
  const registry = await registryWith();
  if (registry.has(kind as PluginKind, names.id)) {
    const taken = registry.get(kind as PluginKind, names.id).packageName;
    throw new EnvisionError('E_USAGE', `NAME '${name}' gives the ${kind} id '${names.id}', which ${taken} already provides; choose another NAME`);
  }
  const dir = resolve(values.dir ?? name.replace(/^@[^/]+\//, ''));
  const files = writeTemplate(kind as PluginKind, names, dir, values.packs);
  const shown = relative(process.cwd(), dir) || '.';
  io.stderr(`envision new: wrote the ${kind} '${names.id}' (package ${name}) to ${shown}: ${files.length} files\n`);
  io.stdout(`cd ${shown} && pnpm install && pnpm test && pnpm run experiment\n`);
  if (values.packs === undefined) {
    io.stderr('envision new: Envision is not on a registry yet: add the overrides of a clone\'s packs/overrides.yaml to pnpm-workspace.yaml first (or use --packs DIR)\n');
  }
  return 0;
}

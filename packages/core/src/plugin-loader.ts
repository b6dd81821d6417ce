import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ContainerModule } from 'inversify';
import { EnvisionError, describeCause } from '@envision/onnx-grad';
import type { PluginRegistry } from './registry.js';
import { checkPluginExport, type EnvisionPlugins } from './plugins.js';

/** A plugin package as loaded: its default export and the version its package.json declares. */
export interface LoadedPlugin {
  /** `definePlugins({ methods, adapters, fusions })` or an inversify `ContainerModule`. */
  readonly module: EnvisionPlugins | ContainerModule;
  readonly version: string;
}

/**
 * Resolves a plugin package by name from a folder (as Node would from a file in that folder), imports it and returns
 * its default export — `definePlugins({ methods, adapters, fusions })` or an inversify `ContainerModule` — with its
 * version (for run manifests). A user's published plugin is found exactly like Envision's own.
 *
 * @param packageName - the npm package name, e.g. `envision-method-foo` or `@acme/envision-adapter-bar`
 * @param fromDir - the folder to resolve from (an experiment file's folder)
 * @throws EnvisionError `E_PLUGIN` when the package cannot be found or its default export is neither form
 */
export async function importPlugin(packageName: string, fromDir: string): Promise<LoadedPlugin> {
  let resolved: string;
  try {
    resolved = createRequire(join(fromDir, '__envision__.js')).resolve(packageName);
  } catch (e) {
    throw new EnvisionError('E_PLUGIN', `plugin package '${packageName}' not found from ${fromDir} (install it there, e.g. pnpm add ${packageName})`, e);
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(resolved).href)) as { default?: unknown };
  } catch (e) {
    throw new EnvisionError('E_PLUGIN', `plugin package '${packageName}' failed to load: ${describeCause(e)}`, e);
  }
  return { module: checkPluginExport(mod.default, packageName), version: packageVersion(resolved, packageName) };
}

/** The version in the package.json of `packageName`, found by walking up from its resolved entry file. */
export function packageVersion(entry: string, packageName: string): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (json.name === packageName) return json.version ?? 'unknown';
    } catch {
      // no package.json here; keep walking up
    }
  }
  return 'unknown';
}

/**
 * Loads plugin packages into a registry, each resolved from its own folder.
 * @param packages - `[packageName, fromDir]` pairs, in order; a package loaded twice is a no-op
 */
export async function loadPlugins(registry: PluginRegistry, packages: readonly (readonly [string, string])[]): Promise<void> {
  for (const [name, dir] of packages) {
    const { module, version } = await importPlugin(name, dir);
    registry.addPackage(module, name, version);
  }
}
